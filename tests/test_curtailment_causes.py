"""Curtailment attributed to its causes, worked out by hand (docs/methods.md "Why wind is curtailed")."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tiny import Tiny

from gridmodel.attribution import split
from gridmodel.causes import FORCED, SINK, Role, declared_causes
from gridmodel.model.techs import TECHNOLOGIES

CAUSES = tuple(c.name for c in declared_causes(TECHNOLOGIES))

OFF = '[model]\ncommitment = "off"\n'


def causes(out) -> dict:
    return {c: round(v, 6) for c, v in out.summary.items()
            if c.startswith("curtailment_") and isinstance(v, float) and c.endswith("_mwh")
            and v > 1e-9}


def heat_led_chp(t: Tiny, c_b_pu: float):
    """A back-pressure CHP unit serving a 100 MW_th zone alone: p = c_b × 100 MW."""
    t.gen("chp_unit", p_max_mw=200, c1=10)
    t.table("heat_zone", name="city", demand_mw_th=100.0)
    t.table("chp", name="chp1", unit="chp_unit", zone="city", mode="backpressure",
            c_b_pu=c_b_pu, c_v_pu=0.15, h_max_mw_th=100.0)


def test_only_heat_led_chp_in_surplus_is_all_heat_must_run(tmp_path):
    """CHP forced to 0.8 × 100 = 80 MW by heat, load 100 MW, wind 100 MW available: wind
    takes 20 MW, 80 MW are curtailed, all of it heat-led must-run (80 MWh in 1 h)."""
    t = Tiny()
    heat_led_chp(t, 0.8)
    t.load("L", 100, series=[1.0])
    t.renewable("wind", "wind", 100)
    out = t.solve(tmp_path, OFF)
    assert out.summary["renewable_curtailed_mwh"] == pytest.approx(80)
    assert causes(out) == {"curtailment_heat_must_run_mwh": pytest.approx(80)}


def test_congested_line_with_surplus_behind_it_is_all_network(tmp_path):
    """300 MW of wind at bus 0, a 100 MW line to bus 1 with 200 MW of load and a 50 CNY/MWh
    unit: wind sends 100 MW, the unit makes 100, 200 MW of wind are curtailed behind the
    line (price 0 at bus 0, 50 at bus 1): 200 MWh network."""
    t = Tiny(2)
    t.line(0, 1, rating_mw=100)
    t.gen("B", bus=1, p_max_mw=300, c1=50)
    t.load("L", 200, bus=1, series=[1.0])
    t.renewable("wind", "wind", 300, bus=0)
    out = t.solve(tmp_path, OFF)
    assert causes(out) == {"curtailment_network_mwh": pytest.approx(200)}


def test_export_link_at_its_limit_is_export_limit(tmp_path):
    """Wind 200 MW, load 100 MW, a 50 MW export link (10 CNY/MWh) full, an idle unit (p_min 0): 50 MW
    curtailed with no forced supply in the way: all of it export limit."""
    t = Tiny()
    t.gen("A", p_max_mw=100, c1=20)
    t.load("L", 100, series=[1.0])
    t.renewable("wind", "wind", 200)
    t.table("export_link", name="tie", bus=0, p_export_max_mw=50.0,
            export_value_cny_per_mwh=10.0)
    out = t.solve(tmp_path, OFF)
    assert list(out.dataset["export_link_export_mw"].values.ravel()) == pytest.approx([50])
    assert causes(out) == {"curtailment_export_limit_mwh": pytest.approx(50)}


def test_mixed_hour_splits_over_forced_supply_by_shapley_value(tmp_path):
    """CHP forced to 0.6 × 100 = 60 MW by heat, a 30 CNY/MWh unit held at its 40 MW minimum,
    load 250 MW, wind 200 MW: wind takes 150, 50 MW curtailed. Removing heat alone removes
    50, the minimum alone 40, both 50; Shapley: heat ½·50 + ½·(50 − 40) = 30 MWh, minimum
    stable load ½·40 + ½·(50 − 50) = 20 MWh."""
    t = Tiny()
    heat_led_chp(t, 0.6)
    t.gen("T", p_max_mw=200, p_min_mw=40, c1=30)
    t.load("L", 250, series=[1.0])
    t.renewable("wind", "wind", 200)
    out = t.solve(tmp_path, OFF)
    assert out.summary["renewable_curtailed_mwh"] == pytest.approx(50)
    assert causes(out) == {"curtailment_heat_must_run_mwh": pytest.approx(30),
                           "curtailment_min_stable_load_mwh": pytest.approx(20)}
    by_cause = out.dataset["curtailment_by_cause_mw"]
    assert float(by_cause.sel(cause="heat_must_run").sum()) == pytest.approx(30)


def test_surplus_beyond_forced_supply_goes_to_sinks_then_other():
    """Hand split of two hours, one asset: 10 MW curtailed against 4 MW forced and a 6 MW
    full store → 4 forced, 6 storage; 10 MW against nothing → other."""
    curtailed = np.array([[10.0, 10.0]])
    roles = [Role("heat_must_run", FORCED, np.array([4.0, 0.0])),
             Role("storage_full", SINK, np.array([6.0, 0.0]))]
    parts = split(curtailed, np.zeros_like(curtailed, dtype=bool), roles)
    assert parts["heat_must_run"].tolist() == [[4.0, 0.0]]
    assert parts["storage_full"].tolist() == [[6.0, 0.0]]
    assert parts["other"].tolist() == [[0.0, 10.0]]


values = st.floats(0, 1e4, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 4), st.integers(1, 6), st.data())
def test_causes_always_add_up_to_the_curtailment(n_assets, n_steps, data):
    """Random curtailment, network masks and roles: every asset's causes sum to its
    curtailment (to 1e-6 MW) and none is negative."""
    shape = (n_assets, n_steps)
    arr = lambda n: np.array(data.draw(st.lists(values, min_size=n, max_size=n)))
    curtailed = arr(n_assets * n_steps).reshape(shape)
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=curtailed.size,
                                       max_size=curtailed.size))).reshape(shape)
    roles = [Role(data.draw(st.sampled_from(CAUSES[1:-1])), data.draw(st.sampled_from(
        [FORCED, SINK])), arr(n_steps)) for _ in range(data.draw(st.integers(0, 5)))]
    parts = split(curtailed, mask, roles, CAUSES)
    assert set(parts) == set(CAUSES)
    assert np.allclose(sum(parts.values()), curtailed, atol=1e-6, rtol=0)
    assert min(p.min() for p in parts.values()) >= -1e-9


@pytest.mark.slow  # moved to make test-all to keep make test under 90 s (2026-12-03)
def test_eboiler_removes_heat_led_curtailment_in_compare_and_workbook(tmp_path):
    """Base: the heat-led case above (80 MWh heat_must_run). With a 50 MW electric boiler
    (efficiency 1) in the zone: CHP heat h and boiler 100 − h; wind w = 200 − 1.8 h ≤ 100
    needs h ≥ 55.6 (boiler 44.4 MW ≤ 50): all wind absorbed. compare shows heat_must_run
    80 → 0 (delta −80); the workbook's CurtailmentCauses sheet has 80 MWh in 2016-01 (the
    stacked figure is checked with every figure in test_compare_export)."""
    import openpyxl
    from typer.testing import CliRunner

    from gridmodel.cli import app
    from gridmodel.compare import compare_table

    runner = CliRunner()
    folders = []
    for name, boiler_mw in (("base", 0.0), ("eb", 50.0)):
        t = Tiny()
        heat_led_chp(t, 0.8)
        t.load("L", 100, series=[1.0])
        t.renewable("wind", "wind", 100)
        t.table("electric_boiler", name="eb", bus=0, zone="city", p_max_mw=boiler_mw,
                efficiency_pu=1.0)
        case = t.write(tmp_path / f"in_{name}", OFF)
        folders.append(tmp_path / name)
        result = runner.invoke(app, ["run", str(case), "--out", str(folders[-1])])
        assert result.exit_code == 0, result.output
    table = compare_table(folders)
    row = table.loc["curtailment_heat_must_run_mwh"]
    assert (row["base"], row["eb"], row["eb − base"]) == (
        pytest.approx(80), pytest.approx(0, abs=1e-6), pytest.approx(-80))
    book = tmp_path / "base.xlsx"
    assert runner.invoke(app, ["export", str(folders[0]), "--xlsx", str(book)]).exit_code == 0
    rows = [[c.value for c in r] for r in
            openpyxl.load_workbook(book)["CurtailmentCauses"].iter_rows()]
    assert rows[0][:2] == ["month", "network"] and rows[0][-1] == "other"
    assert set(rows[0][1:]) == set(CAUSES)  # every declared cause, in build order
    month = dict(zip(rows[0], rows[1]))
    assert month["month"] == "2016-01" and month["network"] == 0
    assert month["heat_must_run"] == pytest.approx(80)


def test_forced_causes_share_by_shapley_value_not_by_size():
    """20 MW curtailed against 90 MW heat-led and 10 MW fixed import. Removing the heat-led
    block alone removes 20, the import alone 10, both 20; Shapley: heat ½·20 + ½·(20 − 10)
    = 15, import ½·10 + ½·0 = 5 (a split by size would give 18 / 2)."""
    roles = [Role("heat_must_run", FORCED, np.array([90.0])),
             Role("fixed_exchanges", FORCED, np.array([10.0]))]
    parts = split(np.array([[20.0]]), np.zeros((1, 1), dtype=bool), roles)
    assert parts["heat_must_run"].tolist() == [[15.0]]
    assert parts["fixed_exchanges"].tolist() == [[5.0]]


@pytest.mark.parametrize("generates, curtailed", [(False, 0.0), (True, 20.0)])
def test_minimum_release_through_the_turbines_is_hydro_must_run(tmp_path, generates, curtailed):
    """Load 50 MW, wind 50 MW, a dam with 20 MW inflow and a 20 MW minimum release. Free to
    spill, the dam spills its 20 MW and wind serves the load; with `min_release_generates`
    the 20 MW pass the turbines, 20 MW of wind are curtailed, all of it hydro_min_release."""
    t = Tiny()
    t.gen("coal", p_max_mw=100, c1=300)
    t.load("L", 50, series=[1.0])
    t.renewable("wind", "wind", 50)
    t.table("hydro", name="dam", bus=0, p_max_mw=50.0, min_release_mw=20.0, inflow_mw=20.0,
            e_max_mwh=1000.0, initial_soc_pu=0.5, cyclic=False, cyclic_each_window=False,
            min_release_generates=generates)
    out = t.solve(tmp_path, OFF + "curtailment_cost_cny_per_mwh = 1\n")
    assert out.summary["renewable_curtailed_mwh"] == pytest.approx(curtailed, abs=1e-6)
    if generates:
        assert causes(out) == {"curtailment_hydro_min_release_mwh": pytest.approx(20)}


def _dam_system(**dam) -> Tiny:
    """Load 50 MW, wind 50 MW, coal at 300 CNY/MWh, one hour; a dam with 30 MW inflow, a
    50 MW turbine and a half-full 1,000 MWh reservoir that must end each window at least as
    full as it began."""
    t = Tiny()
    t.gen("coal", p_max_mw=100, c1=300)
    t.load("L", 50, series=[1.0])
    t.renewable("wind", "wind", 50)
    t.table("hydro", name="dam", bus=0, p_max_mw=50.0, min_release_mw=0.0, inflow_mw=30.0,
            e_max_mwh=1000.0, initial_soc_pu=0.5, cyclic=True, cyclic_each_window=True, **dam)
    return t


@pytest.mark.parametrize("scheduled, spill_cny, curtailed, hydro, objective", [
    (False, 0.0, 0.0, 0.0, 0.0),      # the 30 MWh are stored: no release is asked
    (True, 0.0, 0.0, 0.0, 0.0),       # released, but spilled for free: wind serves the load
    (True, 400.0, 30.0, 30.0, 30.0)])  # spilling costs 400 > wind's 1: turbined, 30 of wind cut
def test_a_scheduled_release_is_turbined_when_spill_costs_more_than_cutting_wind(
        tmp_path, scheduled, spill_cny, curtailed, hydro, objective):
    t = _dam_system(release_inflow_each_window=scheduled, spill_penalty_cny_per_mwh=spill_cny)
    out = t.solve(tmp_path, OFF + "curtailment_cost_cny_per_mwh = 1\n")
    s = out.summary
    assert s["renewable_curtailed_mwh"] == pytest.approx(curtailed, abs=1e-6)
    assert s["hydro_generation_mwh"] == pytest.approx(hydro, abs=1e-6)
    assert s["objective_cny"] == pytest.approx(objective, abs=1e-6)
    if curtailed:
        assert causes(out) == {"curtailment_hydro_min_release_mwh": pytest.approx(30)}


def test_a_scheduled_release_does_not_drift_into_the_look_ahead(tmp_path):
    """Two hours, 1-h windows with a 1-h look-ahead; wind 50 MW in hour 1 and none in hour 2
    (load 50 MW both). Hour 1's 30 MWh of inflow must pass in hour 1: 30 MWh of wind cut
    (30 CNY), not deferred into the look-ahead where it would displace coal; hour 2 turbines
    its own 30 MWh and coal gives 20 (6,000 CNY)."""
    t = Tiny()
    t.gen("coal", p_max_mw=100, c1=300)
    t.load("L", 50, series=[1.0, 1.0])
    t.renewable("wind", "wind", 50, series=[1.0, 0.0])
    t.table("hydro", name="dam", bus=0, p_max_mw=50.0, min_release_mw=0.0, inflow_mw=30.0,
            e_max_mwh=1000.0, initial_soc_pu=0.5, cyclic=True, cyclic_each_window=True,
            release_inflow_each_window=True, spill_penalty_cny_per_mwh=400.0)
    s = t.solve(tmp_path, OFF + "curtailment_cost_cny_per_mwh = 1\n"
                "[horizon]\nwindow_h = 1\nlookahead_h = 1\n").summary
    assert s["renewable_curtailed_mwh"] == pytest.approx(30, abs=1e-6)
    assert s["hydro_generation_mwh"] == pytest.approx(60, abs=1e-6)
    assert s["thermal_generation_mwh"] == pytest.approx(20, abs=1e-6)


def test_a_scheduled_release_needs_the_per_window_condition(tmp_path):
    from gridmodel.errors import NetworkError

    t = _dam_system(release_inflow_each_window=True)
    t.net.hydro.loc[0, "cyclic_each_window"] = False
    with pytest.raises(NetworkError, match="hydro.dam.release_inflow_each_window.*"
                                           "cyclic_each_window"):
        t.solve(tmp_path, OFF)


def test_a_case_that_turns_the_per_window_condition_off_is_named(tmp_path):
    from gridmodel.errors import CaseError

    t = _dam_system(release_inflow_each_window=True)
    with pytest.raises(CaseError, match=r"case.toml: overrides\.hydro\.dam\.cyclic_each_window: "
                                        r"false while release_inflow_each_window is true"):
        t.solve(tmp_path, OFF + "[overrides.hydro.dam]\ncyclic_each_window = false\n")


def test_reserve_for_wind_forecast_error_commits_a_unit_that_displaces_wind(tmp_path):
    """Load 100 MW, wind 80 MW; A 0-40 MW at 10 CNY/MWh, B 30-100 MW at 50 (binary
    commitment). Without reserve: A 20 MW, all wind used, 200 CNY. Reserve 50 % of the
    available wind = 40 MW: A at 20 MW leaves 20 MW of headroom, so B must be on at ≥ 30 MW
    (70 MW headroom): A 0, B 30, wind 70, 10 MW curtailed, 1,500 CNY — and the attribution
    names B's minimum load (`min_stable_load`)."""
    results = []
    for pct in (0, 50):
        t = Tiny()
        t.gen("A", p_max_mw=40, c1=10)
        t.gen("B", p_max_mw=100, p_min_mw=30, c1=50)
        t.load("L", 100, series=[1.0])
        t.renewable("wind", "wind", 80)
        results.append(t.solve(tmp_path / str(pct), '[model]\ncommitment = "binary"\n'
                               f"[reserve]\nspinning_pct_of_wind = {pct}\n"))
    base, reserved = results
    assert base.summary["objective_cny"] == pytest.approx(200)
    assert reserved.summary["objective_cny"] == pytest.approx(1500)
    assert reserved.summary["renewable_curtailed_mwh"] == pytest.approx(10)
    assert causes(reserved) == {"curtailment_min_stable_load_mwh": pytest.approx(10)}


def test_minimum_online_capacity_keeps_a_unit_on_that_displaces_wind(tmp_path):
    """Load 100 MW, wind 100 MW, one unit 40-100 MW at 50 CNY/MWh (binary). Free, it stays
    off and wind serves the load. With 100 MW of thermal capacity required online (system
    security) it runs at its 40 MW minimum: 40 MW of wind curtailed, 2,000 CNY, all of it
    minimum stable load."""
    out = []
    for need in (0, 100):
        t = Tiny()
        t.gen("B", p_max_mw=100, p_min_mw=40, c1=50, initial_on=0.0)
        t.load("L", 100, series=[1.0])
        t.renewable("wind", "wind", 100)
        out.append(t.solve(tmp_path / str(need), '[model]\ncommitment = "binary"\n'
                           f"[reserve]\nmin_online_thermal_mw = {need}\n"))
    assert out[0].summary["objective_cny"] == pytest.approx(0)
    assert out[1].summary["objective_cny"] == pytest.approx(2000)
    assert causes(out[1]) == {"curtailment_min_stable_load_mwh": pytest.approx(40)}


@pytest.mark.parametrize("profile, curtailed", [("", 60.0), ("half_later", 45.0)])
def test_small_plants_outside_dispatch_displace_wind(tmp_path, profile, curtailed):
    """Load 100 MW and wind 100 MW for two hours, coal at 300 CNY/MWh idle, 30 MW of small
    plants outside dispatch. They run whatever the wind: flat, 30 + 30 MWh of wind are cut;
    with a profile of 1.0 then 0.5, 30 + 15 MWh. All of it `embedded_generation`, and the
    objective is the curtailment priority alone (1 CNY/MWh × the cut)."""
    t = Tiny()
    t.gen("coal", p_max_mw=100, c1=300)
    t.load("L", 100, series=[1.0, 1.0])
    t.renewable("wind", "wind", 100, series=[1.0, 1.0])
    t.profile("half_later", [1.0, 0.5])
    t.table("embedded_generation", name="small", bus=0, p_mw=30.0, profile=profile)
    out = t.solve(tmp_path, OFF + "curtailment_cost_cny_per_mwh = 1\n")
    s = out.summary
    assert s["renewable_curtailed_mwh"] == pytest.approx(curtailed)
    assert s["embedded_generation_mwh"] == pytest.approx(curtailed)  # coal idle: they fill
    assert s["thermal_generation_mwh"] == pytest.approx(0.0, abs=1e-6)  # what wind gave up
    assert s["objective_cny"] == pytest.approx(curtailed)
    assert causes(out) == {"curtailment_embedded_generation_mwh": pytest.approx(curtailed)}
