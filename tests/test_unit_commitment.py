"""Tiny systems with hand-worked optima: merit order, commitment, time coupling, network."""

import pytest
from tiny import Tiny, series

BINARY = "[model]\ncommitment = \"binary\"\n"


def test_merit_order(tmp_path):
    """Load 150 MW; A 0-100 MW at 10 CNY/MWh, B 0-100 MW at 20.

    Optimum: A 100, B 50; cost 100·10 + 50·20 = 2000 CNY.
    """
    t = Tiny()
    t.gen("A", p_max_mw=100, c1=10)
    t.gen("B", p_max_mw=100, c1=20)
    t.load("L", 150)
    out = t.solve(tmp_path)
    assert out.summary["objective_cny"] == pytest.approx(2000, abs=1e-6)
    assert series(out, "thermal_p_mw", "A")[0] == pytest.approx(100)
    assert series(out, "thermal_p_mw", "B")[0] == pytest.approx(50)


def _big_cheap_vs_small(t):
    t.gen("big", p_min_mw=50, p_max_mw=200, c1=10, c0=1000)
    t.gen("small", p_max_mw=100, c1=20)
    t.load("L", 80)


def test_commitment_keeps_cheap_large_unit_off(tmp_path):
    """Load 80 MW. big: 50-200 MW, 10 CNY/MWh + 1000 CNY/h no-load; small: 0-100 MW, 20.

    big on: 1000 + 80·10 = 1800; small alone: 80·20 = 1600 → big stays off, 1600 CNY.
    With commitment off every unit is online: big at 80 MW costs 1800 CNY.
    """
    t = Tiny()
    _big_cheap_vs_small(t)
    out = t.solve(tmp_path / "uc", BINARY)
    assert out.summary["objective_cny"] == pytest.approx(1600)
    assert series(out, "thermal_on_count", "big")[0] == 0
    t2 = Tiny()
    _big_cheap_vs_small(t2)
    out = t2.solve(tmp_path / "ed")
    assert out.summary["objective_cny"] == pytest.approx(1800)


def test_min_up_time_binds_across_hours(tmp_path):
    """Loads 100, 20, 20 MW. cheap: 40-200 MW at 10, initially off; dear: 0-200 MW at 50.

    Without min up: cheap runs hour 0 only: 100·10 + 40·50 = 3000 CNY.
    With min up 3 h cheap would have to run 40 MW in hours 1-2 (over-generation at
    30000 CNY/MWh), so dear serves all: 140·50 = 7000 CNY.
    """
    def build(min_up):
        t = Tiny()
        t.gen("cheap", p_min_mw=40, p_max_mw=200, c1=10, min_up_h=min_up, initial_on=0.0,
              initial_time_in_state_h=10.0)
        t.gen("dear", p_max_mw=200, c1=50)
        t.load("L", 100, series=[1.0, 0.2, 0.2])
        return t

    free = build(1.0).solve(tmp_path / "free", BINARY)
    assert free.summary["objective_cny"] == pytest.approx(3000)
    bound = build(3.0).solve(tmp_path / "bound", BINARY)
    assert bound.summary["objective_cny"] == pytest.approx(7000)
    assert list(series(bound, "thermal_on_count", "cheap")) == [0, 0, 0]


def test_min_down_time_from_initial_state(tmp_path):
    """cheap (10 CNY/MWh, 0-100 MW) shut down 1 h before the start, min down 3 h;
    dear 50 CNY/MWh. Load 50 MW for 3 h: cheap may restart only in hour 2.

    Cost: 2·50·50 + 50·10 = 5500 CNY.
    """
    t = Tiny()
    t.gen("cheap", p_max_mw=100, c1=10, min_down_h=3.0, initial_on=0.0,
          initial_time_in_state_h=1.0)
    t.gen("dear", p_max_mw=100, c1=50)
    t.load("L", 50, series=[1.0, 1.0, 1.0])
    out = t.solve(tmp_path, BINARY)
    assert out.summary["objective_cny"] == pytest.approx(5500)
    assert list(series(out, "thermal_on_count", "cheap")) == [0, 0, 1]


def test_ramp_limit_binds_across_hours(tmp_path):
    """cheap at 50 MW before the start, ramps 30 MW/h, 10 CNY/MWh; dear 50 CNY/MWh.
    Loads 50, 100, 100 MW: cheap 50, 80, 100 → dear 0, 20, 0.

    Cost: 230·10 + 20·50 = 3300 CNY.
    """
    t = Tiny()
    t.gen("cheap", p_max_mw=150, c1=10, ramp_up_mw_per_h=30.0, ramp_down_mw_per_h=30.0,
          initial_p_mw=50.0)
    t.gen("dear", p_max_mw=150, c1=50)
    t.load("L", 100, series=[0.5, 1.0, 1.0])
    out = t.solve(tmp_path, BINARY)
    assert out.summary["objective_cny"] == pytest.approx(3300)
    assert list(series(out, "thermal_p_mw", "cheap")) == pytest.approx([50, 80, 100])


def _ramp_case(ramp_mw_per_h):
    t = Tiny()
    t.gen("cheap", p_min_mw=50, p_max_mw=150, c1=10, ramp_up_mw_per_h=ramp_mw_per_h,
          ramp_down_mw_per_h=ramp_mw_per_h, initial_p_mw=50.0, min_up_h=3.0)
    t.gen("dear", p_max_mw=200, c1=50)
    t.load("L", 150, series=[1 / 3, 1.0, 1 / 3])
    return t


def test_a_ramp_of_the_whole_band_is_left_out_and_a_narrower_one_still_binds(tmp_path):
    """cheap: 50–150 MW, 10 CNY/MWh, on at 50 MW before the start, min up 3 h; dear 50.
    Loads 50, 150, 50 MW.

    Ramp 100 MW/h (= p_max − p_min): cheap 50, 150, 50, cost 250·10 = 2,500 CNY; its rows
    after the first step are not built (implied by the output limits and the logic).
    Ramp 90 MW/h: cheap 50, 140, 50 → dear 10 MW in hour 1: 240·10 + 10·50 = 2,900 CNY,
    and the rows are there.
    """
    from gridmodel.case import load_case
    from gridmodel.model.core import build_model
    from gridmodel.model.techs import TECHNOLOGIES
    from gridmodel.network.loader import system_from_case

    for ramp, cost, cheap, rows in ((100.0, 2500, [50, 150, 50], 2), (90.0, 2900,
                                                                        [50, 140, 50], 6)):
        t = _ramp_case(ramp)
        case = load_case(t.write(tmp_path / f"r{ramp:g}", BINARY))
        out = t.solve(tmp_path / f"s{ramp:g}", BINARY)
        assert out.summary["objective_cny"] == pytest.approx(cost)
        assert list(series(out, "thermal_p_mw", "cheap")) == pytest.approx(cheap)
        system = system_from_case(case, TECHNOLOGIES)
        block = build_model(system, case.model, case.reserve, 3).model.thermal_block
        assert len(block.ramp_up) + len(block.ramp_down) == rows  # 2 first-step rows


def test_startup_cost_category_depends_on_off_time(tmp_path):
    """One unit, 10 CNY/MWh, must start to serve 10 MW; hot start (off < 5 h) 100 CNY,
    cold start 500 CNY. Off 2 h before: 100 + 100 = 200; off 10 h before: 600 CNY.
    """
    def cost(off_h, folder):
        t = Tiny()
        t.gen("G", p_max_mw=100, c1=10, initial_on=0.0, initial_time_in_state_h=off_h)
        t.net.gen["startup_categories"] = [[[0.0, 100.0], [5.0, 500.0]]]
        t.load("L", 10)
        return t.solve(folder, BINARY).summary["objective_cny"]

    assert cost(2.0, tmp_path / "hot") == pytest.approx(200)
    assert cost(10.0, tmp_path / "cold") == pytest.approx(600)


def test_congested_line_splits_dispatch(tmp_path):
    """Triangle of equal lines; cheap A (10 CNY/MWh) at bus 0, dear C (30) at bus 2, load
    150 MW at bus 1, line 0–1 rated 80 MW. PTDFs give F01 = 2/3·gA + 1/3·gC = 50 + gA/3
    ≤ 80 → gA = 90, gC = 60: cost 900 + 1800 = 2700 CNY. Copper plate: 150·10 = 1500.
    """
    def build():
        t = Tiny(3)
        t.line(0, 1, rating_mw=80)
        t.line(1, 2)
        t.line(0, 2)
        t.gen("A", bus=0, p_max_mw=200, c1=10)
        t.gen("C", bus=2, p_max_mw=200, c1=30)
        t.load("L", 150, bus=1)
        return t

    dc = build().solve(tmp_path / "dc")
    assert dc.summary["objective_cny"] == pytest.approx(2700)
    assert series(dc, "thermal_p_mw", "A")[0] == pytest.approx(90)
    assert series(dc, "branch_flow_mw", "line0")[0] == pytest.approx(80)
    cp = build().solve(tmp_path / "cp", '[model]\nnetwork = "copperplate"\n')
    assert cp.summary["objective_cny"] == pytest.approx(1500)


def test_must_run_unit_forces_curtailment(tmp_path):
    """Must-run coal at 80 MW minimum (10 CNY/MWh), wind 100 MW available, load 100 MW:
    wind used 20, curtailed 80 MWh (80 %); cost 800 CNY.
    """
    t = Tiny()
    t.gen("coal", p_min_mw=80, p_max_mw=200, c1=10)
    t.renewable("W", "wind", 100)
    t.load("L", 100)
    out = t.solve(tmp_path)
    s = out.summary
    assert s["objective_cny"] == pytest.approx(800)
    assert s["wind_curtailed_mwh"] == pytest.approx(80)
    assert s["wind_curtailment_pct"] == pytest.approx(80)
    assert s["renewable_absorption_pct"] == pytest.approx(20)


def test_export_link_absorbs_surplus(tmp_path):
    """As the must-run test plus a 50 MW export link (100 CNY/MWh delivered, 10 % loss):
    wind exports 50 MW (45 delivered): used 70, curtailed 30; cost 800 − 4500 = −3700 CNY.
    """
    t = Tiny()
    t.gen("coal", p_min_mw=80, p_max_mw=200, c1=10)
    t.renewable("W", "wind", 100)
    t.load("L", 100)
    t.table("export_link", name="uhv", bus=0, p_export_max_mw=50.0, loss_pu=0.1,
            export_value_cny_per_mwh=100.0)
    out = t.solve(tmp_path)
    s = out.summary
    assert s["objective_cny"] == pytest.approx(-3700)
    assert s["export_mwh"] == pytest.approx(50)
    assert s["wind_curtailed_mwh"] == pytest.approx(30)


def test_reserve_forces_extra_unit_on(tmp_path):
    """Load 90 MW. A: 20-100 MW at 10 + 100 CNY/h; B: 20-100 MW at 20 + 500 CNY/h.
    No reserve: A alone, 900 + 100 = 1000. Reserve 50 MW: A alone has 10 MW headroom, so B
    runs at its 20 MW minimum: 70·10 + 100 + 20·20 + 500 = 1700 CNY.
    """
    def build():
        t = Tiny()
        t.gen("A", p_min_mw=20, p_max_mw=100, c1=10, c0=100)
        t.gen("B", p_min_mw=20, p_max_mw=100, c1=20, c0=500)
        t.load("L", 90)
        return t

    assert build().solve(tmp_path / "a", BINARY).summary["objective_cny"] == pytest.approx(1000)
    out = build().solve(tmp_path / "b", BINARY + "[reserve]\nspinning_mw = 50\n")
    assert out.summary["objective_cny"] == pytest.approx(1700)
    assert series(out, "thermal_on_count", "B")[0] == 1


def test_unserved_energy_is_reported_not_a_crash(tmp_path):
    """Load 120 MW, one 100 MW unit at 10 CNY/MWh: 20 MWh unserved at 30000 CNY/MWh.

    Cost 1000 + 600000 = 601000 CNY; the report names the bus and hour.
    """
    t = Tiny()
    t.gen("A", p_max_mw=100, c1=10)
    t.load("L", 120)
    out = t.solve(tmp_path)
    assert out.summary["objective_cny"] == pytest.approx(601000)
    assert out.summary["operating_cost_cny"] == pytest.approx(1000)
    assert out.summary["penalty_cost_cny"] == pytest.approx(600000)
    assert out.summary["unserved_energy_mwh"] == pytest.approx(20)
    assert out.info["unserved"]["electricity"] == [("2016-01-01T00:00", "b0", pytest.approx(20))]
