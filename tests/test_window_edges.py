"""Window edges: the last window's look-ahead past the end of the data, accounts that span
windows, switches run to the end of the data, and rolling with a look-ahead that covers the
rest of the range equal to one LP of the whole range."""

import numpy as np
import pytest
from tiny import Tiny, series

OFF = '[model]\ncommitment = "off"\n'


def rolling(window_h, lookahead_h):
    return OFF + f"[horizon]\nwindow_h = {window_h}\nlookahead_h = {lookahead_h}\n"


def _dam(cyclic_each_window=False, hours=4, inflow_mw=10.0):
    """Coal 100 MW at 10 CNY/MWh; load 20 MW; a free hydro plant, 30 MW turbine, inflow 10 MW,
    reservoir 100 MWh half full, cyclic (content at the end of the data ≥ 50 MWh).
    Over 4 h the water that may be used is the inflow, 40 MWh: coal serves 80 − 40 = 40 MWh,
    400 CNY. A look-ahead past the data that brought phantom inflow would let the reservoir
    draw down (the old fault: the objective fell below this LP bound)."""
    t = Tiny()
    t.gen("coal", p_max_mw=100, c1=10)
    t.load("L", 20, series=[1.0] * hours)
    t.table("hydro", name="dam", bus=0, p_max_mw=30.0, inflow_mw=inflow_mw, e_max_mwh=100.0,
            initial_soc_pu=0.5, cyclic=True, cyclic_each_window=cyclic_each_window)
    return t


@pytest.mark.parametrize("window_h,lookahead_h", [(2, 4), (1, 6), (3, 48), (0, 0)])
def test_a_reservoir_ends_the_data_at_least_as_full_as_it_began(tmp_path, window_h, lookahead_h):
    out = _dam().solve(tmp_path, rolling(window_h, lookahead_h))
    soc = series(out, "hydro_soc_mwh", "dam")
    assert soc[-1] >= 50 - 1e-6
    assert out.summary["objective_cny"] == pytest.approx(400)
    assert out.summary["hydro_generation_mwh"] == pytest.approx(40)


def test_a_battery_does_not_drain_into_the_look_ahead_past_the_data(tmp_path):
    """Coal 15 MW at 10 and gas 100 MW at 100 CNY/MWh; load 10, 10, 15, 20 MW; a battery
    (eta 1) half full at 5 of 10 MWh, cyclic. Windows of 2 h + 4 h look-ahead: the last
    window's look-ahead (hours 4–7) repeats hour 3, where gas is marginal, so a tie-break
    toward earlier steps used to discharge 5 MWh in hour 3 and 'recharge' it past the data.
    Right: the battery charges the 5 MWh of spare coal in hours 0–1 (50 CNY) and discharges
    them in hour 3, ending at 5 MWh; cost 10·(15+10) + 150 + 150 = 550 CNY, no gas."""
    t = Tiny()
    t.gen("coal", p_max_mw=15, c1=10)
    t.gen("gas", p_max_mw=100, c1=100)
    t.load("L", 20, series=[0.5, 0.5, 0.75, 1.0])
    t.table("battery", name="bat", bus=0, e_max_mwh=10.0, p_in_max_mw=10.0,
            p_out_max_mw=10.0, eta_in_pu=1.0, eta_out_pu=1.0, initial_soc_pu=0.5)
    out = t.solve(tmp_path, rolling(1, 4))
    soc = series(out, "battery_soc_mwh", "bat")
    assert soc[-1] == pytest.approx(5, abs=1e-6)
    assert out.summary["objective_cny"] == pytest.approx(550)


def test_a_store_with_standing_loss_meets_its_end_rule_where_the_data_end(tmp_path):
    """Heat storage 100 MWh_th at 40 MWh_th, loss 10 %/h, the only heat besides a boiler at
    50 CNY/MWh_th; demand 10 MW_th for 2 h. Past the data the content decays by 0.9 per step,
    so a target written at the window's last step is scaled by the decay: the store still
    ends at ≥ 40 MWh_th where the data end (not at 40 × 0.9⁴). Boiler: it serves the demand
    and tops the store up by what is lost (40/0.9 − 40 = 4.44 in hour 0 would be lost again;
    the optimum keeps the store and refills the loss at the end)."""
    t = Tiny()
    t.gen("coal", p_max_mw=100, c1=10)
    t.load("L", 10, series=[1.0, 1.0])
    t.table("heat_zone", name="city", demand_mw_th=10.0)
    t.table("heat_boiler", name="hb", zone="city", h_max_mw_th=100.0,
            cost_cny_per_mwh_th=50.0)
    t.table("heat_storage", name="acc", zone="city", e_max_mwh_th=100.0, p_in_max_mw_th=50.0,
            p_out_max_mw_th=50.0, initial_soc_pu=0.4, loss_per_h=0.1)
    out = t.solve(tmp_path, rolling(1, 4))
    soc = series(out, "heat_storage_soc_mwh_th", "acc")
    assert soc[-1] >= 40 - 1e-6


def test_cyclic_each_window_off_runs_to_the_end_of_the_data(tmp_path):
    """The documented switch `cyclic_each_window = false` on a run to the end of the data
    (1-h windows, 1-h look-ahead). With inflow: the same 400 CNY optimum as the one LP.
    Without inflow the myopic windows that do not reach the end use the free water (20 MWh
    in hours 0 and 1: 40 of the 50 MWh, the rest may spill, a tie); the windows that see the end of the data cannot refill
    to 50 and keep what is left, paying the end shortfall in their objective instead of
    failing (the old hard condition made the last window infeasible). Coal: 40 MWh."""
    out = _dam(cyclic_each_window=False).solve(tmp_path / "a", rolling(1, 1))
    assert out.summary["objective_cny"] == pytest.approx(400)
    out = _dam(cyclic_each_window=False, inflow_mw=0.0).solve(tmp_path / "b", rolling(1, 1))
    assert out.summary["hydro_generation_mwh"] == pytest.approx(40)
    assert list(series(out, "thermal_p_mw", "coal")) == pytest.approx([0, 0, 20, 20])


def test_an_unreachable_end_rule_is_a_penalised_shortfall_not_a_failure(tmp_path):
    """A reservoir (50 of 100 MWh, inflow 10 MW) whose ecological minimum release of 30 MW
    passes its turbines, with each window's condition off and 1-h windows: the release
    drains it, and the windows that reach the end of the data cannot bring it back to 50 MWh
    while releasing. The run ends (no infeasible window); what is short is penalised."""
    t = Tiny()
    t.gen("coal", p_max_mw=100, c1=10)
    t.load("L", 40, series=[1.0] * 4)
    t.table("hydro", name="dam", bus=0, p_max_mw=30.0, inflow_mw=10.0, e_max_mwh=100.0,
            min_release_mw=30.0, initial_soc_pu=0.5, cyclic=True, cyclic_each_window=False,
            min_release_generates=True)
    out = t.solve(tmp_path, rolling(1, 1))
    soc = series(out, "hydro_soc_mwh", "dam")
    assert np.all(soc >= -1e-9)
    assert out.summary["penalty_cost_cny"] > 0


# ---- the rolling-versus-one-shot check ------------------------------------------------------

def _week(folder, toml):
    """48 h with a battery, a heat store, a reservoir and a banded tie: the stateful pieces
    that cross window borders."""
    hours = np.arange(48)
    load = 0.7 + 0.3 * np.sin((hours % 24 - 8) / 24 * 2 * np.pi)
    wind = 0.5 + 0.45 * np.cos(hours / 13 * 2 * np.pi)
    t = Tiny()
    t.gen("coal", p_max_mw=300, c1=200)
    t.gen("gas", p_max_mw=200, c1=400)
    t.load("L", 300, series=list(load))
    t.renewable("W", "wind", 250, series=list(wind))
    t.profile("tie", [40.0] * 48, "MW")
    t.table("export_link", name="tie", bus=0, p_export_max_mw=200.0, p_import_max_mw=200.0,
            export_value_cny_per_mwh=150.0, import_price_cny_per_mwh=450.0,
            schedule_min_profile="tie", schedule_max_profile="tie", schedule_band_mw=30.0,
            deviation_limit_mwh=60.0)
    t.table("battery", name="bat", bus=0, e_max_mwh=200.0, p_in_max_mw=50.0,
            p_out_max_mw=50.0, initial_soc_pu=0.3)
    t.table("heat_zone", name="city", demand_mw_th=60.0)
    t.table("heat_boiler", name="hb", zone="city", h_max_mw_th=100.0,
            cost_cny_per_mwh_th=120.0)
    t.table("electric_boiler", name="eb", bus=0, zone="city", p_max_mw=40.0)
    t.table("heat_storage", name="acc", zone="city", e_max_mwh_th=300.0, p_in_max_mw_th=60.0,
            p_out_max_mw_th=60.0, initial_soc_pu=0.5, loss_per_h=0.005)
    t.table("hydro", name="dam", bus=0, p_max_mw=40.0, inflow_mw=15.0, e_max_mwh=300.0,
            initial_soc_pu=0.5, cyclic=True, cyclic_each_window=False)
    return t.solve(folder, toml)


@pytest.mark.parametrize("window_h", [pytest.param(6, marks=pytest.mark.slow), 12,
                                      pytest.param(24, marks=pytest.mark.slow)])
def test_rolling_with_a_look_ahead_to_the_end_equals_one_lp(tmp_path, window_h):
    """Rolling windows whose look-ahead reaches the end of the range see what one LP of the
    whole range sees, and their first window's decisions are kept: every later window
    re-solves the rest with the carried state, so the total equals the one-shot LP optimum
    (stores, the deviation account and the reservoir included)."""
    one = _week(tmp_path / "one", OFF)
    roll = _week(tmp_path / f"roll{window_h}", rolling(window_h, 48))
    assert roll.summary["objective_cny"] == pytest.approx(one.summary["objective_cny"],
                                                          rel=1e-7)


@pytest.mark.slow  # moved to make test-all to keep make test under 90 s (2026-12-03)
def test_the_deviation_account_holds_at_every_hour_across_windows(tmp_path):
    """A banded tie (schedule 40 MW, band ±30 MW, account ±60 MWh): the cumulative deviation
    of the stitched run stays within ±60 MWh at every hour, for windows whose look-ahead would
    let it overrun inside the kept hours and repay it later."""
    out = _week(tmp_path, rolling(6, 6))
    dev = series(out, "export_link_deviation_mw", "tie")
    assert np.abs(np.cumsum(dev)).max() <= 60 + 1e-6
