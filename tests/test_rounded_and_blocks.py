"""Rounded relaxation (LP, round and repair the commitment, LP with it fixed) and
time-parallel blocks, on tiny systems worked out by hand."""

import numpy as np
import pytest
from tiny import Tiny, series

from gridmodel.blocks import block_spans
from gridmodel.model.techs.thermal import repair_commitment, round_counts

ROUNDED = '[model]\ncommitment = "rounded"\n'


def _plant(folder, load_mw, toml=""):
    """Three identical 40-100 MW units (20 CNY/MWh, 500 CNY/h no-load), all on before."""
    t = Tiny()
    t.gen("plant", p_min_mw=40, p_max_mw=100, c1=20, c0=500, n_units=3)
    t.load("L", load_mw)
    return t.solve(folder, ROUNDED + toml)


def test_lp_commits_one_and_a_half_units_and_rounding_gives_two(tmp_path):
    """Load 150 MW. LP relaxation: 150 ≤ 100·on → on = 1.5, cost 150·20 + 1.5·500 = 3750
    (the bound). Rounded up (fraction 0.5 ≥ threshold 0.5): 2 units, fixed LP 3000 + 1000 =
    4000 CNY, which is also the integer optimum; gap 250 / 4000 = 6.25 %."""
    out = _plant(tmp_path, 150)
    assert list(series(out, "thermal_on_count", "plant")) == [2]
    assert out.summary["objective_cny"] == pytest.approx(4000)
    window = out.info["windows"][0]
    assert window["bound_cny"] == pytest.approx(3750)
    assert window["objective_cny"] == pytest.approx(4000)
    assert window["mip_gap"] == pytest.approx(250 / 4000)


def test_second_pass_rounds_every_fraction_up_when_the_first_misses_the_gap(tmp_path):
    """Load 120 MW: LP on = 1.2 (bound 120·20 + 600 = 3000). Threshold 0.5 rounds to 1 unit:
    100 MW and 20 MW unserved at 30,000 CNY/MWh = 2,000 + 500 + 600,000 = 602,500 CNY. The
    second pass rounds 1.2 up to 2 units: 2,400 + 1,000 = 3,400 CNY, kept."""
    one = _plant(tmp_path / "one", 120, "rounding_passes = 1\n")
    assert one.summary["objective_cny"] == pytest.approx(602500)
    assert one.summary["unserved_energy_mwh"] == pytest.approx(20)
    two = _plant(tmp_path / "two", 120)
    assert two.summary["objective_cny"] == pytest.approx(3400)
    assert list(series(two, "thermal_on_count", "plant")) == [2]


def test_min_up_time_carried_into_the_next_window_in_rounded_mode(tmp_path):
    """A: 0-100 MW, 10 CNY/MWh + 100 CNY/h no-load, min up 3 h, off at start; B: 50 CNY/MWh.
    Loads 0, 60, 0, 0 MW; 2-h windows. Window 1 LP: on = 0.6 in hour 1 (60 ≤ 100·on), rounded
    to 1: 600 + 100 = 700 CNY. Window 2 inherits the start one step before it: A must stay on
    in hours 2-3 (2 × 100 CNY no-load). Total 900 CNY, the MIP optimum."""
    t = Tiny()
    t.gen("A", p_max_mw=100, c1=10, c0=100, min_up_h=3.0, initial_on=0.0,
          initial_time_in_state_h=10.0)
    t.gen("B", p_max_mw=100, c1=50)
    t.load("L", 60, series=[0.0, 1.0, 0.0, 0.0])
    out = t.solve(tmp_path, ROUNDED + "[horizon]\nwindow_h = 2\nlookahead_h = 0\n")
    assert list(series(out, "thermal_on_count", "A")) == [0, 1, 1, 1]
    assert out.summary["objective_cny"] == pytest.approx(900)


def test_round_counts_at_the_threshold():
    x = np.array([0.0, 0.3, 0.5, 1.5, 2.0000001, 2.7])
    assert list(round_counts(x, 0.5)) == [0, 0, 1, 2, 2, 3]
    assert list(round_counts(x, 1e-6)) == [0, 1, 1, 2, 2, 3]


def test_repair_keeps_started_units_on_and_stopped_units_off():
    """Min up 3: a start in step 0 keeps the unit on in steps 1-2. Min down 3: a stop in
    step 0 keeps it off in steps 1-2. History: a start one step before the window keeps it
    on in steps 0-1 (min up 3 counts steps −1, 0, 1)."""
    up = repair_commitment([1, 0, 0, 0], 1, 3, 1, [], [], False, 0.0)
    assert list(up) == [1, 1, 1, 0]
    down = repair_commitment([0, 1, 1, 1], 1, 1, 3, [], [], False, 1.0)
    assert list(down) == [0, 0, 0, 1]
    carried = repair_commitment([0, 0, 0], 1, 3, 1, [1.0, 0.0], [0.0, 0.0], False, 1.0)
    assert list(carried) == [1, 1, 0]
    # 3 units, 1 on before: 2 start in step 0 and (min up 2) stay on in step 1; the unit that
    # was on before may stop, so step 1 needs 2, not 3; step 2 is free again
    clustered = repair_commitment([3, 1, 1], 3, 2, 1, [], [], False, 1.0)
    assert list(clustered) == [3, 2, 1]
    assert list(repair_commitment([0, 1], 2, 1, 1, [], [], True, 2.0)) == [2, 2]


def test_block_spans_start_each_block_a_whole_number_of_windows_early():
    """72 steps, 24-step windows (3 windows), 2 blocks, 30-step warm-up (→ 48 steps)."""
    assert block_spans(72, 24, 2, 30) == [(0, 0, 24), (0, 24, 72)]
    assert block_spans(96, 24, 2, 24) == [(0, 0, 48), (24, 48, 96)]
    assert block_spans(50, 24, 4, 0) == [(0, 0, 24), (24, 24, 48), (48, 48, 50)]


def _three_days(folder, toml):
    """72 h, two committed units and wind; daily load shape (as in test_rolling_horizon)."""
    hours = np.arange(72)
    t = Tiny()
    t.gen("base", p_min_mw=100, p_max_mw=300, c1=200, c0=5000, min_up_h=8.0, min_down_h=8.0,
          ramp_up_mw_per_h=100.0, ramp_down_mw_per_h=100.0, startup_cost_cny=20000.0)
    t.gen("peak", p_min_mw=20, p_max_mw=200, c1=400, c0=1000, min_up_h=2.0, min_down_h=2.0,
          startup_cost_cny=2000.0)
    t.renewable("W", "wind", 150, series=list(0.5 + 0.4 * np.cos(hours / 24 * 2 * np.pi)))
    t.load("L", 400, series=list(0.7 + 0.3 * np.sin((hours % 24 - 8) / 24 * 2 * np.pi)))
    return t.solve(folder, toml)


@pytest.mark.slow  # a local dask cluster (≈ 12 s): make test-all
def test_two_blocks_equal_the_sequential_run_when_the_warmup_covers_the_state(tmp_path):
    """3 daily windows in 2 blocks with a 24-h warm-up: block 2 (days 2-3) starts solving
    on day 1 from the initial state, exactly as the sequential run does, so its kept days
    are identical; block 1 is day 1 of the sequential run. Stitched = sequential."""
    toml = ROUNDED + "[horizon]\nwindow_h = 24\nlookahead_h = 24\nwarmup_h = 24\n"
    seq = _three_days(tmp_path / "seq", toml)
    par = _three_days(tmp_path / "par", toml + "blocks = 2\n")
    assert [w["start_step"] for w in par.info["windows"]] == [0, 24, 48]
    assert par.summary["warmup_solve_time_s"] > 0
    assert par.summary["objective_cny"] == pytest.approx(seq.summary["objective_cny"],
                                                         rel=1e-9)
    np.testing.assert_allclose(par.dataset["thermal_on_count"].values,
                               seq.dataset["thermal_on_count"].values)
    np.testing.assert_allclose(par.dataset["thermal_p_mw"].values,
                               seq.dataset["thermal_p_mw"].values, atol=1e-6)


def test_a_mip_window_without_incumbent_falls_back_to_the_rounded_schedule(tmp_path,
                                                                           monkeypatch):
    """A clustered MIP window that ends its time limit without any integer solution is not
    an abort: it takes the rounded relaxation's schedule (load 150 MW: 2 units, 4000 CNY as
    worked out above), is flagged `fallback` and counted in the summary."""
    from gridmodel.solve import NoIncumbent, WindowSolver

    def no_incumbent(self):
        raise NoIncumbent("time limit", 20.0)

    monkeypatch.setattr(WindowSolver, "solve_mip", no_incumbent)
    t = Tiny()
    t.gen("plant", p_min_mw=40, p_max_mw=100, c1=20, c0=500, n_units=3)
    t.load("L", 150)
    out = t.solve(tmp_path, '[model]\ncommitment = "clustered"\n')
    assert out.summary["objective_cny"] == pytest.approx(4000)
    assert out.summary["windows_fallback_count"] == 1
    assert out.info["windows"][0]["status"] == "fallback"
    assert out.info["windows"][0]["solve_time_s"] >= 20.0


def test_time_limit_is_per_solve_for_lps_and_mips():
    """HiGHS counts an LP's time limit on the instance's cumulative run clock and a MIP's
    from the MIP's start: after 1,000 s of earlier solves a 20-s window limit must read
    1,020 s for an LP and 20 s for a MIP (an offset MIP limit never binds)."""
    from gridmodel.solve import time_limit_option

    assert time_limit_option(1000.0, 20.0, mip=False) == 1020.0
    assert time_limit_option(1000.0, 20.0, mip=True) == 20.0
    assert time_limit_option(5.0, 0.0, mip=True) == 0.1  # never zero: HiGHS would not start


def test_the_lp_limit_grows_with_the_window():
    """The LP safety limit is the larger of 60 s, 5 × solver.time_limit_s and 3 s per window
    step: 12 + 6 h windows at the year case's 20 s → 100 s; the April week as one window
    (168 steps) → 504 s, above the 85–136 s it needs (the old 100 s cut it off)."""
    from gridmodel.solve import lp_time_limit_s

    assert lp_time_limit_s(20.0, 18) == 100.0
    assert lp_time_limit_s(20.0, 168) == 504.0
    assert lp_time_limit_s(1.0, 4) == 60.0
