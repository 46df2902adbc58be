"""Rolling horizon: state hand-over between windows and equality with one monolithic model."""

import numpy as np
import pytest
from tiny import Tiny, series

BINARY = '[model]\ncommitment = "binary"\n'


def rolling(window_h, lookahead_h=0):
    return BINARY + f"[horizon]\nwindow_h = {window_h}\nlookahead_h = {lookahead_h}\n"


def test_min_up_time_is_respected_across_a_window_border(tmp_path):
    """A: 0-100 MW, 10 CNY/MWh + 100 CNY/h no-load, min up 3 h, off at start; B: 50 CNY/MWh.
    Loads 0, 60, 0, 0 MW; windows of 2 h without look-ahead. A starts in hour 1 (700 CNY
    against 3000 for B) and must stay on through hours 2-3 of the next window: 900 CNY,
    the same as the monolithic optimum."""
    def build():
        t = Tiny()
        t.gen("A", p_max_mw=100, c1=10, c0=100, min_up_h=3.0, initial_on=0.0,
              initial_time_in_state_h=10.0)
        t.gen("B", p_max_mw=100, c1=50)
        t.load("L", 60, series=[0.0, 1.0, 0.0, 0.0])
        return t

    roll = build().solve(tmp_path / "roll", rolling(2))
    mono = build().solve(tmp_path / "mono", BINARY)
    assert list(series(roll, "thermal_on_count", "A")) == [0, 1, 1, 1]
    assert roll.summary["objective_cny"] == pytest.approx(900)
    assert mono.summary["objective_cny"] == pytest.approx(900)
    assert len(roll.info["windows"]) == 2


def test_storage_content_is_carried_across_a_window_border(tmp_path):
    """Pumped hydro arbitrage split over two 1-h windows with 1 h look-ahead: pump 50 MW in
    window 1, generate 37.5 MW in window 2 from the carried content. Cost 2625 CNY, equal
    to the monolithic optimum."""
    def build():
        t = Tiny()
        t.gen("cheap", p_max_mw=100, c1=10)
        t.gen("dear", p_max_mw=200, c1=50)
        t.load("L", 150, series=[50 / 150, 1.0])
        t.table("pumped_hydro", name="ph", bus=0, p_in_max_mw=100.0, p_out_max_mw=100.0,
                e_max_mwh=1000.0, initial_soc_pu=0.0)
        return t

    roll = build().solve(tmp_path / "roll", rolling(1, 1))
    assert roll.summary["objective_cny"] == pytest.approx(2625)
    assert list(series(roll, "pumped_hydro_soc_mwh", "ph")) == pytest.approx(
        [50 * 0.75 ** 0.5, 0.0], abs=1e-6)


def _three_days(folder, toml):
    """72 h, two committed units and wind; daily load shape."""
    hours = np.arange(72)
    load = 0.7 + 0.3 * np.sin((hours % 24 - 8) / 24 * 2 * np.pi)
    wind = 0.5 + 0.4 * np.cos(hours / 24 * 2 * np.pi)
    t = Tiny()
    t.gen("base", p_min_mw=100, p_max_mw=300, c1=200, c0=5000, min_up_h=8.0, min_down_h=8.0,
          ramp_up_mw_per_h=100.0, ramp_down_mw_per_h=100.0, startup_cost_cny=20000.0)
    t.gen("peak", p_min_mw=20, p_max_mw=200, c1=400, c0=1000, min_up_h=2.0, min_down_h=2.0,
          startup_cost_cny=2000.0)
    t.renewable("W", "wind", 150, series=list(wind))
    t.load("L", 400, series=list(load))
    return t.solve(folder, toml)


def test_rolling_equals_monolithic_within_a_tenth_of_a_percent(tmp_path):
    mono = _three_days(tmp_path / "mono", BINARY + "[solver]\nmip_gap = 0.0\n")
    roll = _three_days(tmp_path / "roll", rolling(24, 24) + "[solver]\nmip_gap = 0.0\n")
    assert len(roll.info["windows"]) == 3
    assert roll.summary["objective_cny"] >= mono.summary["objective_cny"] - 1e-6
    assert roll.summary["objective_cny"] == pytest.approx(mono.summary["objective_cny"],
                                                          rel=1e-3)
    assert roll.summary["load_mwh"] == pytest.approx(mono.summary["load_mwh"])


def test_rolling_equals_monolithic_exactly_when_windows_cannot_interact(tmp_path):
    """Economic dispatch without ramps or storage: hours are independent."""
    def build():
        t = Tiny()
        t.gen("A", p_max_mw=100, c1=10)
        t.gen("B", p_max_mw=100, c1=20)
        t.load("L", 150, series=[0.4, 1.0, 0.7, 0.9, 0.5])
        return t

    mono = build().solve(tmp_path / "m")
    roll = build().solve(tmp_path / "r", "[horizon]\nwindow_h = 2\nlookahead_h = 1\n")
    assert roll.summary["objective_cny"] == pytest.approx(mono.summary["objective_cny"],
                                                          abs=1e-9)
    assert len(roll.info["windows"]) == 3


def _plant(folder, mode, toml=None):
    """Three identical 40-100 MW units (20 CNY/MWh, 500 CNY/h no-load, min up 2 h), all on at
    the start. Loads 50, 150, 250, 120 MW need 1, 2, 3 units; in hour 3 the unit started in
    hour 1 may stop (2 h done) but the one started in hour 2 may not: 2 units.
    Cost 570·20 + (1 + 2 + 3 + 2)·500 = 15,400 CNY."""
    t = Tiny()
    t.gen("plant", p_min_mw=40, p_max_mw=100, c1=20, c0=500, min_up_h=2.0, n_units=3)
    t.load("L", 250, series=[0.2, 0.6, 1.0, 0.48])
    return t.solve(folder, toml or f'[model]\ncommitment = "{mode}"\n[solver]\nmip_gap = 0.0\n')


def test_clustered_equals_binary_on_identical_units(tmp_path):
    binary = _plant(tmp_path / "b", "binary")
    clustered = _plant(tmp_path / "c", "clustered")
    assert binary.summary["objective_cny"] == pytest.approx(15400)
    assert clustered.summary["objective_cny"] == pytest.approx(15400)
    assert list(series(clustered, "thermal_on_count", "plant")) == [1, 2, 3, 2]
    on = binary.dataset["thermal_on_count"].sum("thermal").values
    assert list(on) == [1, 2, 3, 2] and binary.dataset.sizes["thermal"] == 3


def test_lookahead_start_is_the_relaxed_lookahead_rounded_up(tmp_path, monkeypatch):
    """Plant of 3 × 40-100 MW (500 CNY/h no-load), loads 50/150/250/120 MW, 1-h windows with a
    relaxed 1-h look-ahead. The look-ahead LP commits 1.5, 2.5 and 1.2 units; the next window
    is started from 2, 3 and 2 units, which is also the optimum (15,400 CNY, as without a
    start)."""
    from gridmodel.solve import WindowSolver

    starts = []
    original = WindowSolver.set_start
    monkeypatch.setattr(WindowSolver, "set_start", lambda self, cols, values: (
        starts.append(list(values)), original(self, cols, values)))
    case = ('[model]\ncommitment = "clustered"\n[solver]\nmip_gap = 0.0\nmip_start = "{}"\n'
            '[horizon]\nwindow_h = 1\nlookahead_h = 1\n')
    with_start = _plant(tmp_path / "s", "clustered", case.format("lookahead"))
    assert starts == [[2.0], [3.0], [2.0]]
    starts.clear()
    without = _plant(tmp_path / "n", "clustered", case.format("none"))
    assert starts == []
    for run in (with_start, without):
        assert run.summary["objective_cny"] == pytest.approx(15400)
        assert list(series(run, "thermal_on_count", "plant")) == [1, 2, 3, 2]
