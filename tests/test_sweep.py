"""Sweep of two tiny scenarios on a local dask cluster with two workers."""

import json
import zipfile

import openpyxl
import pandas as pd
import pytest
import xarray as xr
from tiny import Tiny
from typer.testing import CliRunner

from gridmodel.cli import app

runner = CliRunner()


def _case(folder):
    """Must-run coal 80 MW, wind 100 MW, load 100 MW, export link sized by the sweep.
    Tie 0 MW: 80 MWh curtailed, cost 800; tie 30 MW (value 5): 50 curtailed, 800 − 150."""
    t = Tiny()
    t.gen("coal", p_min_mw=80, p_max_mw=200, c1=10)
    t.renewable("W", "wind", 100)
    t.load("L", 100)
    t.table("export_link", name="tie", bus=0, p_export_max_mw=0.0,
            export_value_cny_per_mwh=5.0)
    return t.write(folder)


@pytest.mark.slow  # a local 2-worker dask cluster (≈ 25 s): make test-all
def test_sweep_runs_two_scenarios_on_two_workers_and_skips_finished_ones(tmp_path):
    case = _case(tmp_path / "in")
    out = tmp_path / "sweep"
    args = ["sweep", str(case), "--set", "overrides.export_link.tie.p_export_max_mw=0.0,30.0",
            "--workers", "2", "--out", str(out), "--merit",
            "overrides.export_link.tie.p_export_max_mw", "--xlsx", str(tmp_path / "s.xlsx")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "sweep_summary.csv", index_col=0)
    assert list(table["objective_cny"]) == pytest.approx([800, 650])
    assert list(table["wind_curtailed_mwh"]) == pytest.approx([80, 50])
    combined = xr.load_dataset(out / "sweep.nc", engine="h5netcdf")
    assert combined.sizes["scenario"] == 2
    assert (out / "merit_order.png").read_bytes()[:4] == b"\x89PNG"
    merit = pd.read_csv(out / "merit_order.csv", index_col=0)
    assert merit["avoided_mwh_per_size_unit"].iloc[1] == pytest.approx(1.0)  # 30 MWh / 30 MW
    assert merit["cost_change_cny_per_avoided_mwh"].iloc[1] == pytest.approx(-5.0)
    book = openpyxl.load_workbook(tmp_path / "s.xlsx")
    sheet = book["MeritOrder"]
    assert sheet["A3"].value == "export_link.tie 30"
    with zipfile.ZipFile(tmp_path / "s.xlsx") as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        xml = "".join(archive.read(n).decode() for n in charts)
    assert "Avoided curtailment per size unit" in xml and "MeritOrder" in xml
    refused = runner.invoke(app, args)  # the workbook exists: nothing is replaced unasked
    assert refused.exit_code == 2 and "--force" in refused.output
    again = runner.invoke(app, [*args, "--force"])
    assert again.exit_code == 0
    assert set(pd.read_csv(out / "sweep_summary.csv")["status"]) == {"skipped"}
    assert json.loads((out / table.index[0] / "summary.json").read_text())["status"] == "optimal"


def test_sweep_bad_key_is_a_clear_error(tmp_path):
    case = _case(tmp_path / "in")
    result = runner.invoke(app, ["sweep", str(case), "--set", "solver.mip_gapp=0.1,0.2",
                                 "--out", str(tmp_path / "s")])
    assert result.exit_code == 2 and "solver.mip_gapp" in result.output
    assert "unknown key" in result.output


def test_merit_order_ranks_each_option_against_the_all_smallest_reference():
    """Grid of e-boiler 0/100 MW × heat storage 0/500 MWh. Reference (0, 0) curtails
    1,000 MWh at 10,000 CNY operating (12,000 total). E-boiler 100 MW: 700 MWh curtailed,
    9,400 CNY (penalties gone) → 300 MWh avoided, 3 MWh per MW, −2 CNY operating and
    −2,600/300 total per avoided MWh. Storage 500 MWh:
    900 curtailed, 9,900 → 100 avoided, 0.2 MWh per MWh, −1. The combination (100, 500) is
    no single option and is left out."""
    from gridmodel.sweep import merit_order

    eb, hs = "electric_boiler.west.p_max_mw", "heat_storage.cc.e_max_mwh_th"
    table = pd.DataFrame({
        "sets": [f"{eb}={a} {hs}={b}" for a, b in ((0, 0), (0, 500), (100, 0), (100, 500))],
        "status": "optimal",
        "renewable_curtailed_mwh": [1000.0, 900.0, 700.0, 600.0],
        "operating_cost_cny": [10000.0, 9900.0, 9400.0, 9300.0],
        "objective_cny": [12000.0, 11900.0, 9400.0, 9300.0]}, index=list("abcd"))
    order = merit_order(table, [eb, hs])
    assert list(order.index) == ["a", "c", "a", "b"]
    assert list(order["label"]) == ["electric_boiler.west 0", "electric_boiler.west 100",
                                    "heat_storage.cc 0", "heat_storage.cc 500"]
    rows = order.set_index("label")
    assert rows.at["electric_boiler.west 100", "avoided_mwh_per_size_unit"] == 3.0
    assert rows.at["electric_boiler.west 100",
                   "operating_cost_change_cny_per_avoided_mwh"] == pytest.approx(-2.0)
    assert rows.at["electric_boiler.west 100",
                   "cost_change_cny_per_avoided_mwh"] == pytest.approx(-2600 / 300)
    assert rows.at["heat_storage.cc 500", "avoided_mwh_per_size_unit"] == pytest.approx(0.2)
    assert rows.at["heat_storage.cc 500",
                   "operating_cost_change_cny_per_avoided_mwh"] == pytest.approx(-1.0)
    assert pd.isna(rows.at["heat_storage.cc 0", "avoided_mwh_per_size_unit"])
    assert rows.at["electric_boiler.west 100", "marginal_avoided_mwh_per_size_unit"] == 3.0


def test_marginal_avoided_curtailment_is_per_step_between_sizes():
    """Sizes 0 / 500 / 1000 MW avoid 0 / 700 / 1,000 MWh: average 1.4 and 1.0 MWh per MW,
    marginal 1.4 and 0.6 MWh per MW."""
    from gridmodel.sweep import merit_order

    key = "electric_boiler.west.p_max_mw"
    table = pd.DataFrame({"sets": [f"{key}={v}" for v in (0, 500, 1000)], "status": "optimal",
                          "renewable_curtailed_mwh": [2000.0, 1300.0, 1000.0],
                          "operating_cost_cny": [0.0, 0.0, 0.0],
                          "objective_cny": [0.0, 0.0, 0.0]}, index=list("abc"))
    order = merit_order(table, key)
    assert list(order["avoided_mwh_per_size_unit"].iloc[1:]) == pytest.approx([1.4, 1.0])
    assert list(order["marginal_avoided_mwh_per_size_unit"].iloc[1:]) == pytest.approx([1.4, 0.6])


def test_sweep_unknown_asset_fails_before_any_run(tmp_path):
    case = _case(tmp_path / "in")
    out = tmp_path / "s"
    result = runner.invoke(app, ["sweep", str(case), "--set", "export_link.nope.p_export_max_mw=1,2",
                                 "--out", str(out)])
    assert result.exit_code == 2 and "unknown asset" in result.output
    assert "export_link.nope" in result.output and not out.exists()


def test_merit_order_net_benefit_rank_and_best_size():
    """E-boiler sizes 0 / 500 / 1000 MW: operating cost 10,000 / 7,000 / 6,000 CNY, capex for
    the run 0 / 1,000 / 2,500 CNY → net benefit 0 / 2,000 / 1,500 (ranks 3, 1, 2), levelised
    (−3,000 + 1,000) / 700 at 500 MW; best size: parabola through (0, 0), (500, 2000),
    (1000, 1500): y = −0.005x² + 6.5x, vertex 650 MW, 2,112.5 CNY (interpolated)."""
    from gridmodel.sweep import best_sizes, merit_order

    key = "electric_boiler.west.p_max_mw"
    table = pd.DataFrame({"sets": [f"{key}={v}" for v in (0, 500, 1000)], "status": "optimal",
                          "renewable_curtailed_mwh": [2000.0, 1300.0, 1000.0],
                          "operating_cost_cny": [10000.0, 7000.0, 6000.0],
                          "capex_for_run_cny": [0.0, 1000.0, 2500.0],
                          "objective_cny": [10000.0, 7000.0, 6000.0]}, index=list("abc"))
    order = merit_order(table, key)
    assert list(order["net_benefit_cny"]) == pytest.approx([0, 2000, 1500])
    assert list(order["net_benefit_rank"]) == [3, 1, 2]
    assert order["levelised_cost_cny_per_avoided_mwh"].iloc[1] == pytest.approx(-2000 / 700)
    best = best_sizes(order).iloc[0]
    assert (best["best_size"], best["net_benefit_cny"], best["method"]) == (
        pytest.approx(650), pytest.approx(2112.5), "interpolated")


def test_a_finished_scenario_is_reused_only_for_the_same_case(tmp_path):
    """run_one (the worker task) skips a scenario folder holding a finished run of the same
    case, and re-runs it when the base case changed: tie 30 MW → 650 CNY; the base case now
    values exports at 0 → the tie earns nothing, 800 CNY (never the stale 650)."""
    from gridmodel.sweep import run_one

    case = _case(tmp_path / "in")
    sets = ["overrides.export_link.tie.p_export_max_mw=30.0"]
    out = str(tmp_path / "s" / "a")
    assert run_one(str(case), sets, out)["objective_cny"] == pytest.approx(650)
    assert run_one(str(case), sets, out)["status"] == "skipped"
    changed = run_one(str(case), sets + ["overrides.export_link.tie.export_value_cny_per_mwh=0"],
                      out)
    assert changed["status"] == "optimal" and changed["objective_cny"] == pytest.approx(800)


def test_values_that_map_to_one_folder_get_distinct_names():
    from gridmodel.sweep import parse_grid, scenarios

    names = [s.name for s in scenarios(parse_grid(["name=a:b,a_b,ab"]))]
    assert len(set(names)) == 3


def test_a_sweep_never_writes_into_a_users_folder(tmp_path):
    case = _case(tmp_path / "in")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "sweep_summary.csv").write_text("my table")
    result = runner.invoke(app, ["sweep", str(case), "--set",
                                 "overrides.export_link.tie.p_export_max_mw=0.0,30.0",
                                 "--out", str(mine)])
    assert result.exit_code == 2 and "not a gridmodel sweep folder" in result.output
    assert (mine / "sweep_summary.csv").read_text() == "my table"
