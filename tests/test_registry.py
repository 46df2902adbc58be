"""The technology interface and the output registry: a technology is one module and one
registry line, and appears in every output without another edit; a third carrier needs no
edit of the core; the penalty split comes from the cost registration."""

import openpyxl
import pyomo.environ as pyo
import pytest
from tiny import Tiny, series
from typer.testing import CliRunner

from gridmodel.cli import app
from gridmodel.model.carrier import Carrier
from gridmodel.model.techs import TECHNOLOGIES
from gridmodel.model.techs._util import bus_map, data_array
from gridmodel.model.techs.base import Technology, build_order
from gridmodel.outputs import Output
from gridmodel.results import read_netcdf
from gridmodel.system import TableSpec

runner = CliRunner()


def _wte(tmp_path):
    """Load 100 MW flat for 24 h; coal 0-200 MW at 300 CNY/MWh; a 30 MW waste-to-energy plant
    (must run 50 %, 1,800 MWh of waste a day at 25 % electric efficiency). The waste allows
    1,800 × 0.25 = 450 MWh a day, between the must-run 15 MW × 24 h = 360 MWh and the
    30 MW × 24 h = 720 MWh it could produce: it burns it all (it costs nothing), coal makes
    the other 2,400 − 450 = 1,950 MWh for 585,000 CNY."""
    t = Tiny()
    t.gen("coal", p_max_mw=200, c1=300)
    t.load("L", 100, series=[1.0] * 24)
    t.table("waste_to_energy", name="wte", bus=0, p_max_mw=30.0, must_run_pu=0.5,
            waste_mwh_per_day=1800.0, electric_efficiency_pu=0.25)
    return t.write(tmp_path, '[model]\ncommitment = "off"\n')


def test_waste_to_energy_burns_its_daily_waste_within_its_must_run(tmp_path):
    case = _wte(tmp_path / "in")
    assert runner.invoke(app, ["run", str(case), "--out", str(tmp_path / "r")]).exit_code == 0
    ds = read_netcdf(tmp_path / "r" / "results.nc")
    p = series_of(ds, "waste_to_energy_p_mw", "wte")
    assert p.sum() == pytest.approx(450)
    assert p.min() >= 15 - 1e-6 and p.max() <= 30 + 1e-6
    assert series_of(ds, "waste_to_energy_fuel_mw", "wte").sum() == pytest.approx(1800)
    summary = _json(tmp_path / "r" / "summary.json")
    assert summary["objective_cny"] == pytest.approx(585_000)
    assert summary["waste_to_energy_generation_mwh"] == pytest.approx(450)
    assert summary["thermal_generation_mwh"] == pytest.approx(1950)


@pytest.mark.slow  # moved to make test-all to keep make test under 90 s (2026-12-03)
def test_the_registry_drives_every_output(tmp_path):
    """The waste-to-energy module declares its outputs once; summary, monthly table, workbook
    (Outputs and Hourly sheets), compare, the dispatch plot's layers, the AC check's
    injections and run.json all show it."""
    from gridmodel import kpi, plots

    case = _wte(tmp_path / "in")
    for name in ("a", "b"):
        assert runner.invoke(app, ["run", str(case), "--out", str(tmp_path / name)]).exit_code == 0
    book = tmp_path / "c.xlsx"
    result = runner.invoke(app, ["compare", str(tmp_path / "a"), str(tmp_path / "b"),
                                 "--xlsx", str(book)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(book)
    rows = {r[0].value: r[1].value for r in wb["Outputs"].iter_rows(min_row=2)}
    assert rows["waste_to_energy_p_mw"] == "electricity"
    hourly_head = [c.value for c in next(wb["Hourly"].iter_rows(max_row=1))]
    assert "waste_to_energy_p_mw" in hourly_head
    compare = {r[0].value: r[1].value for r in wb["Compare"].iter_rows(min_row=2)}
    assert compare["waste_to_energy_generation_mwh"] == pytest.approx(450)
    ds = read_netcdf(tmp_path / "a" / "results.nc")
    assert kpi.monthly(ds)["waste_to_energy_generation_mwh"].sum() == pytest.approx(450)
    layers, _ = plots._layers(ds, plots.outputs.select(ds, "electricity", ("generation",)),
                              slice(0, 24))
    assert layers["Waste-to-energy"].sum() == pytest.approx(450)
    from gridmodel.network.ac_check import dispatch_net, slack_bus_name
    from gridmodel.network.io import load_net

    net = load_net(tmp_path / "in" / "net.json")
    ac = dispatch_net(net, ds, 0, slack_bus_name(net))
    wte = ac.sgen[ac.sgen["name"] == "waste_to_energy_wte"]
    assert float(wte["p_mw"].iloc[0]) == pytest.approx(float(ds["waste_to_energy_p_mw"][0, 0]))
    info = _json(tmp_path / "a" / "run.json")
    assert {"var": "waste_to_energy_p_mw", "carrier": "electricity", "role": "generation",
            "summary_key": "waste_to_energy_generation_mwh", "label": "Waste-to-energy",
            "colour": "#7f7f7f", "unit": "MW"} in info["outputs"]


def test_every_result_variable_of_a_technology_is_declared(tmp_path):
    """Every (time × asset) result of every technology in the flexible demo carries its
    registry declaration; declared names are unique."""
    from gridmodel.case import load_case
    from gridmodel.run import solve_case

    ds = solve_case(load_case("cases/demo-flex.toml")).dataset
    undeclared = [v for v, da in ds.data_vars.items() if "time" in da.dims
                  and not v.startswith("window_") and "role" not in da.attrs]
    assert undeclared == []
    names = [o.var for t in TECHNOLOGIES for o in t.OUTPUTS]
    assert len(names) == len(set(names))


def test_build_order_follows_requires():
    order = [t.NAME for t in TECHNOLOGIES]
    assert order.index("chp") > order.index("thermal")
    assert order.index("chp") > order.index("heat_zone")
    assert order.index("heat_storage") > order.index("heat_zone")

    class A(Technology):
        NAME, REQUIRES = "a", ("b",)

    class B(Technology):
        NAME, REQUIRES = "b", ("a",)

    with pytest.raises(ValueError, match="require each other"):
        build_order([A(), B()])


def test_penalty_split_comes_from_the_cost_registration(tmp_path):
    """Rounded with one pass, load 120 MW on 3 × 40-100 MW units (see test_rounded_and_blocks):
    1 unit, 20 MWh unserved. Penalty = 20 × 30,000 = 600,000 CNY (unserved energy is
    registered as a penalty); operating = 100 × 20 + 500 = 2,500 CNY."""
    t = Tiny()
    t.gen("plant", p_min_mw=40, p_max_mw=100, c1=20, c0=500, n_units=3)
    t.load("L", 120)
    out = t.solve(tmp_path, '[model]\ncommitment = "rounded"\nrounding_passes = 1\n')
    assert out.summary["penalty_cost_cny"] == pytest.approx(600_000)
    assert out.summary["operating_cost_cny"] == pytest.approx(2_500)


class GasMaker(Technology):
    """Test-only: consumes electricity, delivers 0.7 × p of a gas to a node."""

    NAME, REQUIRES = "gas_maker", ("gas_demand",)
    SPEC = TableSpec(NAME, {"bus": (None, "bus name"), "node": (None, "gas node", str),
                            "p_max_mw": (None, "MW electric")})
    OUTPUTS = (Output("gas_maker_p_mw", "electricity", "consumption", "gas_maker_mwh"),)

    def build(self, b, ctx):
        table = ctx.system.table(self.NAME)
        b.UNITS = pyo.Set(initialize=list(table.index))
        cap = table["p_max_mw"].to_dict()
        b.p_mw = pyo.Var(b.UNITS, b.model().T, bounds=lambda b, u, t: (0, cap[u]))
        ctx.add_power(bus_map(table), b.p_mw, sign=-1.0)
        ctx.add_flow("gas", table["node"].to_dict(), b.p_mw, coef={u: 0.7 for u in cap})

    def extract(self, b, ctx):
        units = list(b.UNITS)
        return {"gas_maker_p_mw": data_array("gas_maker_p_mw",
                                                ctx.values(b.p_mw, units), self.NAME, units)}


class GasDemand(Technology):
    """Test-only: a constant gas demand per node; declares the carrier."""

    NAME = "gas_demand"
    SPEC = TableSpec(NAME, {"demand_mw": (None, "MW of gas")})

    def build(self, b, ctx):
        table = ctx.system.table(self.NAME)
        ctx.add_carrier(Carrier("gas", tuple(table.index), "gas_node", "mw",
                                1000.0, "unserved_gas"))
        b.NODES = pyo.Set(initialize=list(table.index), ordered=True)
        b.demand_mw = ctx.param(b.NODES, b.model().T)
        ctx.add_flow("gas", {n: n for n in table.index}, b.demand_mw, sign=-1.0)

    def update(self, b, ctx, start, state):
        table = ctx.system.table(self.NAME)
        values = table["demand_mw"].to_numpy()[:, None].repeat(ctx.n_steps, axis=1)
        ctx.set_param(b.demand_mw, values, list(table.index))


def test_a_third_carrier_needs_no_edit_of_the_core(tmp_path, monkeypatch):
    """Gas demand 7 MW at node 'g' for 2 h; a converter (0.7 MW gas per MW, 8 MW max) fed by
    coal at 10 CNY/MWh. It runs at 8 MW (5.6 MW gas): 1.4 MW of gas is unserved each hour
    at 1,000 CNY/MWh. Objective 2 × (8 × 10 + 1.4 × 1,000) = 2,960 CNY; the core built the
    gas balance from the two registrations alone, and the set reaches the core through the
    System (one patch: the set the run hands to system_from_case)."""
    from gridmodel import run

    extra = build_order(list(TECHNOLOGIES) + [GasDemand(), GasMaker()])
    monkeypatch.setattr(run, "TECHNOLOGIES", extra)
    t = Tiny()
    t.gen("coal", p_max_mw=100, c1=10)
    t.load("L", 0.0, series=[0.0, 0.0])
    t.table("gas_demand", name="g", demand_mw=7.0)
    t.table("gas_maker", name="m", bus=0, node="g", p_max_mw=8.0)
    out = t.solve(tmp_path, '[model]\ncommitment = "off"\n')
    assert out.summary["objective_cny"] == pytest.approx(2_960)
    assert list(series(out, "gas_node_unserved_mw", "g")) == pytest.approx([1.4, 1.4])
    assert out.summary["unserved_gas_mwh"] == pytest.approx(2.8)
    assert out.summary["gas_maker_mwh"] == pytest.approx(16)
    assert out.summary["penalty_cost_cny"] == pytest.approx(2_800)
    assert [c["name"] for c in out.info["carriers"]] == ["electricity", "gas"]


def series_of(ds, name, asset):
    da = ds[name]
    dim = next(d for d in da.dims if d != "time")
    return da.sel({dim: asset}).values


def _json(path):
    import json

    return json.loads(path.read_text())


@pytest.mark.slow  # moved to make test-all to keep make test under 90 s (2026-12-03)
def test_results_written_before_the_registry_are_migrated_on_reading(tmp_path):
    """A results.nc without declarations (older runs) gets the current ones when read, so
    KPIs and the renewable split come out as for a fresh run."""
    from gridmodel import kpi
    from gridmodel.outputs import ATTRS
    from gridmodel.results import write_netcdf

    case = _wte(tmp_path / "in")
    assert runner.invoke(app, ["run", str(case), "--out", str(tmp_path / "r")]).exit_code == 0
    fresh = read_netcdf(tmp_path / "r" / "results.nc")
    old = fresh.copy()
    for name in old.data_vars:
        for key in ATTRS:
            old[name].attrs.pop(key, None)
    write_netcdf(old, tmp_path / "old.nc")
    assert kpi.summary(read_netcdf(tmp_path / "old.nc")) == kpi.summary(fresh)


@pytest.mark.parametrize("unit,dt_h,expected", [("MW", 0.5, 12.0), ("MW_th", 0.5, 12.0),
                                                ("MW_H2", 0.5, 12.0), ("t", 0.5, 24.0),
                                                ("CNY/MW/h", 0.5, float("nan"))])
def test_a_summary_total_takes_dt_for_power_of_any_carrier(unit, dt_h, expected):
    """24 half-hour steps at 1 MW of any carrier are 12 MWh (a MW_H2 series used to report
    24); tonnes are summed as they are; a price does not add up (NaN, from its unit class)."""
    import numpy as np
    import xarray as xr

    from gridmodel.outputs import Output, total

    ds = xr.Dataset({"x": ("time", np.ones(24), {"units": unit})}, attrs={"dt_h": dt_h})
    assert total(ds, Output("x", "hydrogen", "generation", "x_total")) == pytest.approx(
        expected, nan_ok=True)


def test_two_technologies_of_one_name_are_an_error_naming_both():
    import types

    from gridmodel.model.techs.base import as_technology, build_order

    a, b = (types.ModuleType(n) for n in ("first_mod", "second_mod"))
    for m in (a, b):
        m.NAME, m.SPEC = "twin", None
    with pytest.raises(ValueError, match="first_mod and second_mod"):
        build_order([as_technology(a), as_technology(b)])
