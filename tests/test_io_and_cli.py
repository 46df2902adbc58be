"""Round trips (pandapower JSON, NetCDF), case inheritance, CLI behaviour and bad input."""

import json

import numpy as np
import pandapower as pp
import pytest
import xarray as xr
from tiny import Tiny
from typer.testing import CliRunner

from gridmodel.case import load_case
from gridmodel.cli import app
from gridmodel.results import read_netcdf, write_netcdf

runner = CliRunner()


def _demo_like(tmp_path):
    t = Tiny(2)
    t.line(0, 1)
    t.gen("coal", bus=0, p_min_mw=20, p_max_mw=100, c1=10, min_up_h=3.0, co2_t_per_mwh=0.9)
    t.renewable("W", "wind", 50, bus=1, series=[0.2, 0.9, 0.5])
    t.load("L", 80, bus=1, series=[0.5, 1.0, 0.8])
    t.table("export_link", name="tie", bus=1, p_export_max_mw=30.0, export_value_cny_per_mwh=5.0)
    return t, t.write(tmp_path, '[model]\ncommitment = "binary"\n')


def test_extra_columns_and_tables_round_trip_through_pandapower_json(tmp_path):
    _demo_like(tmp_path)
    net = pp.from_json(str(tmp_path / "net.json"))
    assert net.gen.loc[0, "min_up_h"] == 3.0
    assert net.gen.loc[0, "co2_t_per_mwh"] == 0.9
    assert net.export_link.loc[0, "p_export_max_mw"] == 30.0
    assert net.sgen.loc[0, "profile"] == "avail_W"


def test_results_netcdf_round_trip_is_exact(tmp_path):
    _, case_file = _demo_like(tmp_path)
    from gridmodel.run import solve_case

    ds = solve_case(load_case(case_file)).dataset
    write_netcdf(ds, tmp_path / "r.nc")
    back = read_netcdf(tmp_path / "r.nc")
    xr.testing.assert_identical(ds, back)
    assert all("units" in back[v].attrs for v in back.data_vars)


def test_run_writes_folder_and_refuses_to_overwrite(tmp_path):
    _, case_file = _demo_like(tmp_path)
    out = tmp_path / "run"
    first = runner.invoke(app, ["run", str(case_file), "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert {p.name for p in out.iterdir()} == {"results.nc", "summary.json", "run.json",
                                               "case.resolved.toml", ".gridmodel-run.json"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "optimal"
    defaults = json.loads((out / "run.json").read_text())["defaults_applied"]["thermal"]
    assert {"column": "startup_cost_cny", "default": 0.0, "unit": "CNY per start (hot)",
            "assets": "all"} in defaults  # the test net gives no start-up cost
    (out / "mine.txt").write_text("keep me")
    again = runner.invoke(app, ["run", str(case_file), "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    assert (out / "mine.txt").read_text() == "keep me"
    forced = runner.invoke(app, ["run", str(case_file), "--out", str(out), "--force"])
    assert forced.exit_code == 0 and (out / "mine.txt").read_text() == "keep me"  # a user's


def test_extends_deep_merges_and_set_overrides(tmp_path):
    _demo_like(tmp_path)
    (tmp_path / "child.toml").write_text(
        'extends = "case.toml"\n[solver]\nmip_gap = 0.01\n[overrides.thermal.coal]\n'
        'p_max_mw = 90.0\n')
    case = load_case(tmp_path / "child.toml", ["model.network=copperplate"])
    assert case.name == "child"
    assert case.model.commitment == "binary"  # inherited
    assert case.model.network == "copperplate"  # --set
    assert case.solver.mip_gap == 0.01
    assert case.overrides["thermal"]["coal"]["p_max_mw"] == 90.0


def test_set_shorthand_table_asset_column_is_an_override(tmp_path):
    """`export_link.tie.p_export_max_mw=12` means overrides.export_link.tie.p_export_max_mw;
    the asset may be named by a word of its name."""
    _, case_file = _demo_like(tmp_path)
    case = load_case(case_file, ["export_link.tie.p_export_max_mw=12.0"])
    assert case.overrides == {"export_link": {"tie": {"p_export_max_mw": 12.0}}}
    from gridmodel.model.techs import TECHNOLOGIES
    from gridmodel.network.loader import system_from_case

    system = system_from_case(case, TECHNOLOGIES)
    assert system.table("export_link").at["tie", "p_export_max_mw"] == 12.0


def test_assets_resolve_by_prefix_or_unique_word():
    import pandas as pd

    from gridmodel.errors import CaseError
    from gridmodel.network.tables import resolve_asset

    df = pd.DataFrame(index=["electric_boiler_baicheng", "dunhua_pumped", "uhv_west", "uhv_east"])
    assert resolve_asset(df, "electric_boiler", "baicheng", "c.toml") == \
        "electric_boiler_baicheng"
    assert resolve_asset(df, "pumped_hydro", "dunhua", "c.toml") == "dunhua_pumped"
    assert resolve_asset(df, "export_link", "uhv_west", "c.toml") == "uhv_west"
    with pytest.raises(CaseError, match="ambiguous asset"):
        resolve_asset(df, "export_link", "uhv", "c.toml")
    with pytest.raises(CaseError, match="unknown asset"):
        resolve_asset(df, "export_link", "songyuan", "c.toml")


@pytest.mark.parametrize("sets, words", [
    ("nonsense=1", "neither a case key nor table.asset.column"),
    ("export_link.nope.p_export_max_mw=1", "unknown asset"),
    ("export_link.tie.p_export_max=1", "unknown column"),
    ("solver.mip_gap=big", "relative MIP gap"),
])
def test_bad_set_gives_one_clear_error(tmp_path, sets, words):
    _, case_file = _demo_like(tmp_path)
    result = runner.invoke(app, ["validate", str(case_file), "--set", sets])
    assert result.exit_code == 2 and words in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("toml, key, words", [
    ("[solver]\nmip_gapp = 0.1\n", "solver.mip_gapp", "unknown key"),
    ("[solver]\nmip_gap = 'big'\n", "solver.mip_gap", "relative MIP gap"),
    ("[model]\ncommitment = 'maybe'\n", "model.commitment", "binary | clustered (MIP) | rounded"),
    ("[overrides.thermal.nope]\np_max_mw = 1.0\n", "overrides.thermal.nope", "unknown asset"),
    ("[overrides.thermal.coal]\np_max = 1.0\n", "overrides.thermal.coal.p_max", "unknown column"),
    ("[time]\nstart = 2020-01-01T00:00:00\n", "time.start", "not a profile time step"),
])
def test_bad_case_gives_one_clear_error(tmp_path, toml, key, words):
    _demo_like(tmp_path)
    (tmp_path / "bad.toml").write_text('extends = "case.toml"\n' + toml)
    result = runner.invoke(app, ["validate", str(tmp_path / "bad.toml")])
    assert result.exit_code == 2
    assert "bad.toml" in result.output and key in result.output and words in result.output
    assert "Traceback" not in result.output


def test_missing_profile_and_unknown_bus_are_named(tmp_path):
    t, case_file = _demo_like(tmp_path)
    t.net.sgen.loc[0, "profile"] = "no_such_series"
    t.write(tmp_path)
    result = runner.invoke(app, ["validate", str(case_file)])
    assert result.exit_code == 2 and "no_such_series" in result.output
    t.net.sgen.loc[0, "profile"] = "avail_W"
    t.net.export_link.loc[0, "bus"] = 99
    t.write(tmp_path)
    result = runner.invoke(app, ["validate", str(case_file)])
    assert result.exit_code == 2 and "export_link.bus" in result.output and "99" in result.output


def test_unrepresentable_element_is_an_error(tmp_path):
    t, case_file = _demo_like(tmp_path)
    pp.create_dcline(t.net, t.buses[0], t.buses[1], 10, 0, 0, 1.0, 1.0)
    t.write(tmp_path)
    result = runner.invoke(app, ["validate", str(case_file)])
    assert result.exit_code == 2 and "dcline" in result.output


def test_validate_reports_counts(tmp_path):
    _, case_file = _demo_like(tmp_path)
    result = runner.invoke(app, ["validate", str(case_file)])
    assert result.exit_code == 0
    assert "2 buses" in result.output and "3 steps" in result.output


def test_help_explains_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "run" in result.output and "validate" in result.output


def test_half_hour_steps_give_same_energy_as_hourly(tmp_path):
    """Same 2 h of load (80 MW then 40 MW) at 1 h and 0.5 h steps: same energy, same cost."""
    def run(dt_h, values, folder):
        t = Tiny()
        t.gen("A", p_max_mw=100, c1=10)
        t.load("L", 80, series=values)
        from gridmodel.case import load_case as lc
        from gridmodel.run import solve_case

        return solve_case(lc(t.write(folder, dt_h=dt_h))).summary

    hourly = run(1.0, [1.0, 0.5], tmp_path / "h")
    half = run(0.5, [1.0, 1.0, 0.5, 0.5], tmp_path / "half")
    assert hourly["load_mwh"] == pytest.approx(120) and half["load_mwh"] == pytest.approx(120)
    assert hourly["objective_cny"] == pytest.approx(half["objective_cny"]) == pytest.approx(1200)
    assert np.isclose(hourly["thermal_generation_mwh"], half["thermal_generation_mwh"])


@pytest.mark.slow  # moved to make test-all to keep make test under 90 s (2026-12-03)
def test_a_run_folder_reads_back_its_resolved_case(tmp_path):
    """case.resolved.toml (time.start written as ISO text) loads as a case again, so the
    commands that read it (ac-check) work on every run folder."""
    t, _ = _demo_like(tmp_path)
    case_file = t.write(tmp_path, '[model]\ncommitment = "binary"\n'
                                  '[time]\nstart = 2016-01-01T00:00:00\nhours = 3\n')
    out = tmp_path / "run"
    assert runner.invoke(app, ["run", str(case_file), "--out", str(out)]).exit_code == 0
    again = load_case(out / "case.resolved.toml")
    assert str(again.time.start) == "2016-01-01 00:00:00"
    result = runner.invoke(app, ["ac-check", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.count("converged=True") == 2


def _csv_case(tmp_path, text):
    """The tiny two-hour system of a CSV profile file: coal 10 CNY/MWh, load 100 MW × the
    `load` series, wind 50 MW × `wind`."""
    from tiny import Tiny

    t = Tiny()
    t.gen("coal", p_max_mw=200, c1=10)
    t.load("L", 100)
    t.renewable("W", "wind", 50)
    t.net.load.loc[0, "profile"] = "load"
    t.net.sgen.loc[0, "profile"] = "wind"
    case = t.write(tmp_path, '[model]\ncommitment = "off"\n')
    (tmp_path / "own.csv").write_text(text)
    case.write_text('profiles = "own.csv"\n' + case.read_text())
    return case


def test_profiles_from_the_users_own_csv(tmp_path):
    """load 0.5 then 1.0 pu, wind 1.0 then 0.2 pu: coal serves 50 − 50 = 0 and 100 − 10 = 90
    MWh: 900 CNY; wind used 60 MWh."""
    case = _csv_case(tmp_path, "time,load [pu],wind [pu]\n2016-01-01 00:00,0.5,1.0\n"
                               "2016-01-01 01:00,1.0,0.2\n")
    result = runner.invoke(app, ["run", str(case), "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["objective_cny"] == pytest.approx(900)
    assert summary["wind_used_mwh"] == pytest.approx(60)


@pytest.mark.parametrize("text,words", [
    ("time,load,wind [pu]\n2016-01-01 00:00,0.5,1\n", ("own.csv", "load", "unit")),
    ("time,load [pu],wind [pu]\n2016-01-01 00:00,0.5,\n", ("own.csv", "wind [pu]", "row 2")),
    ("time,load [pu],load [pu],wind [pu]\n2016-01-01 00:00,0.5,0.5,1\n",
     ("own.csv", "given twice")),
    ("time,load [pu],wind [pu]\n2016-01-01 00:00+08:00,0.5,1\n", ("own.csv", "zone offset")),
    ("time,load [pu],wind [pu]\n2016-01-01 01:00,0.5,1\n2016-01-01 00:00,0.5,1\n",
     ("own.csv", "decreasing")),
    ("time,load [MWh],wind [pu]\n2016-01-01 00:00,0.5,1\n", ("own.csv", "load.units")),
])
def test_a_bad_csv_profile_is_one_line_naming_file_and_column(tmp_path, text, words):
    case = _csv_case(tmp_path, text)
    result = runner.invoke(app, ["validate", str(case)])
    assert result.exit_code == 2, result.output
    flat = " ".join(result.output.split())
    for word in words:
        assert word in flat, (word, flat)


def test_profiles_from_an_excel_sheet(tmp_path):
    """The CSV case's series as the first sheet of a workbook: the same 900 CNY."""
    import xlsxwriter

    case = _csv_case(tmp_path, "")
    book = xlsxwriter.Workbook(str(tmp_path / "own.xlsx"))
    sheet = book.add_worksheet("profiles")
    for r, row in enumerate([["time", "load [pu]", "wind [pu]"],
                             ["2016-01-01 00:00", 0.5, 1.0], ["2016-01-01 01:00", 1.0, 0.2]]):
        sheet.write_row(r, 0, row)
    book.close()
    case.write_text(case.read_text().replace('"own.csv"', '"own.xlsx"'))
    result = runner.invoke(app, ["run", str(case), "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "r" / "summary.json").read_text())["objective_cny"] == \
        pytest.approx(900)
