"""Heat sector and storage on tiny systems with hand-worked optima (commitment off, 1 bus).

Core story (two hours: day, night): a CHP unit (fuel-equivalent p + 0.2·h between 60 and
300 MW, 100 CNY per MWh of fuel-equivalent, back-pressure line p ≥ 0.5·h, h ≤ 300 MW_th)
must supply 200 MW_th of heat each hour. Loads 250 (day) / 150 MW (night); wind 100 MW.
Night: p ≥ 0.5·200 = 100 so wind gets 50 of 100: 50 MWh curtailed.
Cost without options: 100·[(150 + 40) + (100 + 40)] = 33,000 CNY.
"""

import pytest
from tiny import Tiny, series

from gridmodel.errors import NetworkError


def chp_system(hours=("day", "night"), **chp_extra):
    t = Tiny()
    t.gen("chp1", p_min_mw=60, p_max_mw=300, c1=100)
    t.renewable("W", "wind", 100, series=[1.0] * len(hours))
    loads = {"day": 1.0, "night": 0.6}
    t.load("L", 250, series=[loads[h] for h in hours])
    t.table("heat_zone", name="city", demand_mw_th=200.0)
    t.table("chp", name="chp1_heat", unit="chp1", zone="city", c_b_pu=0.5, c_v_pu=0.2,
            h_max_mw_th=300.0, **chp_extra)
    return t


def test_heat_led_chp_curtails_wind_at_night(tmp_path):
    out = chp_system().solve(tmp_path)
    s = out.summary
    assert s["objective_cny"] == pytest.approx(33000)
    assert s["wind_curtailed_mwh"] == pytest.approx(50)
    assert list(series(out, "renewable_curtailed_mw", "W")) == pytest.approx([0, 50])
    assert s["chp_heat_mwh"] == pytest.approx(400)
    assert s["chp_electric_mwh"] == pytest.approx(250)
    assert s["heat_demand_mwh"] == pytest.approx(400)


def test_heat_storage_removes_the_curtailment(tmp_path):
    """Storage 200 MWh_th, lossless, empty at start, cyclic. Day: CHP at h_max 300 (p = 150
    on the back-pressure line), 100 MW_th into store; night: h = 100, p = 50 → all wind used.
    Cost 100·(150 + 50 + 0.2·400) = 28,000 CNY: 5,000 saved = 50 MWh × 100 CNY/MWh."""
    t = chp_system()
    t.table("heat_storage", name="acc", zone="city", e_max_mwh_th=200.0, p_in_max_mw_th=200.0,
            p_out_max_mw_th=200.0, initial_soc_pu=0.0)
    out = t.solve(tmp_path)
    assert out.summary["objective_cny"] == pytest.approx(28000)
    assert out.summary["wind_curtailed_mwh"] == pytest.approx(0, abs=1e-6)
    assert out.summary["heat_storage_discharge_mwh"] == pytest.approx(100)
    assert list(series(out, "heat_storage_soc_mwh_th", "acc")) == pytest.approx([100, 0])


def test_electric_boiler_reduces_curtailment(tmp_path):
    """Electric boiler 100 MW, efficiency 1. Night fuel = 190 + 0.8·e − w; w = 100 needs
    50 + e ≥ 0.5·(200 − e) → e = 100/3: fuel 90 + 80/3. Day unchanged (190).
    Cost 100·(190 + 90 + 80/3) = 30,666.67 CNY; no curtailment."""
    t = chp_system()
    t.table("electric_boiler", name="eb", bus=0, zone="city", p_max_mw=100.0,
            efficiency_pu=1.0)
    out = t.solve(tmp_path)
    assert out.summary["objective_cny"] == pytest.approx(100 * (190 + 90 + 80 / 3))
    assert out.summary["wind_curtailed_mwh"] == pytest.approx(0, abs=1e-6)
    assert out.summary["electric_boiler_consumption_mwh"] == pytest.approx(100 / 3)


def test_bypass_retrofit_reduces_curtailment(tmp_path):
    """Bypass up to 100 MW_th at 0.4 MW fuel per MW_th. Night fuel = 80 + 0.6·p with
    h_main = 2p: p = 50, h_main = 100, bypass 100, fuel 110. Cost 100·(190 + 110) = 30,000."""
    out = chp_system(bypass_h_max_mw_th=100.0).solve(tmp_path)
    assert out.summary["objective_cny"] == pytest.approx(30000)
    assert out.summary["wind_curtailed_mwh"] == pytest.approx(0, abs=1e-6)
    assert list(series(out, "chp_bypass_heat_mw_th", "chp1_heat")) == pytest.approx([0, 100])


def test_min_load_retrofit_lowers_the_floor(tmp_path):
    """No heat demand; load 100 MW, wind 80 MW. Minimum 60 MW → wind 40, curtailed 40.
    Retrofit to 0.1 pu (30 MW) → wind 70, curtailed 10."""
    def curtailed(extra, folder):
        t = Tiny()
        t.gen("chp1", p_min_mw=60, p_max_mw=300, c1=100)
        t.renewable("W", "wind", 80)
        t.load("L", 100)
        t.table("heat_zone", name="city", demand_mw_th=0.0)
        t.table("chp", name="h", unit="chp1", zone="city", h_max_mw_th=300.0, **extra)
        return t.solve(folder).summary["wind_curtailed_mwh"]

    assert curtailed({}, tmp_path / "a") == pytest.approx(40)
    assert curtailed({"min_load_pu": 0.1}, tmp_path / "b") == pytest.approx(10)


def test_back_pressure_unit_has_fixed_power_to_heat_ratio(tmp_path):
    """Back-pressure c_b = 0.5, c_v = 0: heat 200 → p = 100 exactly (one hour, load 150,
    wind 100 → 50 curtailed). Cost 100·100 = 10,000 CNY."""
    t = Tiny()
    t.gen("bp", p_min_mw=0, p_max_mw=300, c1=100)
    t.renewable("W", "wind", 100)
    t.load("L", 150)
    t.table("heat_zone", name="city", demand_mw_th=200.0)
    t.table("chp", name="bp_heat", unit="bp", zone="city", mode="backpressure", c_b_pu=0.5,
            c_v_pu=0.0, h_max_mw_th=400.0)
    out = t.solve(tmp_path)
    assert series(out, "chp_p_mw", "bp_heat")[0] == pytest.approx(100)
    assert out.summary["wind_curtailed_mwh"] == pytest.approx(50)
    assert out.summary["objective_cny"] == pytest.approx(10000)


def test_unserved_heat_is_penalised_and_reported(tmp_path):
    """Heat demand 500 MW_th, CHP h_max 300: 200 MWh_th unserved at 20,000 CNY/MWh_th."""
    t = chp_system(hours=("day",))
    t.net.heat_zone.loc[0, "demand_mw_th"] = 500.0
    out = t.solve(tmp_path)
    assert out.summary["unserved_heat_mwh"] == pytest.approx(200)
    assert out.info["unserved"]["heat"] == [("2016-01-01T00:00", "city", pytest.approx(200))]


@pytest.mark.parametrize("table, row", [
    ("heat_storage", {"name": "acc", "zone": "city", "e_max_mwh_th": 0.0,
                      "p_in_max_mw_th": 0.0, "p_out_max_mw_th": 0.0}),
    ("electric_boiler", {"name": "eb", "bus": 0, "zone": "city", "p_max_mw": 0.0}),
    ("heat_boiler", {"name": "hob", "zone": "city", "h_max_mw_th": 0.0,
                     "cost_cny_per_mwh_th": 50.0}),
])
def test_zero_size_equals_switched_off(tmp_path, table, row):
    t = chp_system()
    t.table(table, **row)
    sized = t.solve(tmp_path / "zero").summary["objective_cny"]
    off = t.solve(tmp_path / "off", f"[technologies]\n{table} = false\n")
    assert sized == pytest.approx(off.summary["objective_cny"], abs=1e-6) == pytest.approx(33000)


def _two_price_system(storage_table, **row):
    """Hour 0 load 50, hour 1 load 150; cheap 0-100 MW at 10, dear 0-200 MW at 50."""
    t = Tiny()
    t.gen("cheap", p_max_mw=100, c1=10)
    t.gen("dear", p_max_mw=200, c1=50)
    t.load("L", 150, series=[50 / 150, 1.0])
    if storage_table == "storage":
        import pandapower as pp
        idx = pp.create_storage(t.net, t.buses[0], 100.0, 100.0, name="bat")
        for key, value in row.items():
            t.net.storage.loc[idx, key] = value
    else:
        t.table(storage_table, name="ph", bus=0, **row)
    return t


def test_battery_with_losses_and_self_discharge(tmp_path):
    """Battery 100 MW / 100 MWh, 0.9 each way, 10 %/h self-discharge, empty, cyclic.
    Charge c in hour 0 (≤ 50), soc 0.9c; discharge d ≤ 0.9·0.9·0.9·c = 0.729c.
    Saving 50·0.729c − 10c > 0 → c = 50, d = 36.45. Cost 1000 + 1000 + 50·13.55 = 2677.5."""
    t = _two_price_system("storage", eta_in_pu=0.9, eta_out_pu=0.9, loss_per_h=0.1,
                          initial_soc_pu=0.0)
    out = t.solve(tmp_path)
    assert out.summary["objective_cny"] == pytest.approx(2677.5)
    assert out.summary["battery_discharge_mwh"] == pytest.approx(36.45)
    assert out.summary["battery_charge_mwh"] == pytest.approx(50)


def test_pumped_hydro_arbitrage(tmp_path):
    """Pumped hydro 100 MW, 1000 MWh, round trip 0.75 (default): pump 50 in hour 0,
    generate 37.5 in hour 1. Cost 1000 + 1000 + 50·12.5 = 2625 CNY."""
    t = _two_price_system("pumped_hydro", p_in_max_mw=100.0, p_out_max_mw=100.0,
                          e_max_mwh=1000.0, initial_soc_pu=0.0)
    out = t.solve(tmp_path)
    assert out.summary["objective_cny"] == pytest.approx(2625)
    assert out.summary["pumped_hydro_generation_mwh"] == pytest.approx(37.5)


def test_heat_pump_cop_follows_temperature(tmp_path):
    """Heat pump 100 MW, COP = 3 + 0.05·T: 0 °C → 3.0, −10 °C → 2.5. Heat 300 MW_th per
    hour; power 20 CNY/MWh; heat-only boiler 100 CNY/MWh_th. HP at full power both hours,
    boiler fills 50 MW_th in hour 1. Cost 2·100·20 + 50·100 = 9000 CNY."""
    t = Tiny()
    t.gen("G", p_max_mw=1000, c1=20)
    t.profile("temp_city", [0.0, -10.0], "degC")
    t.table("heat_zone", name="city", demand_mw_th=300.0, temperature_profile="temp_city")
    t.table("heat_pump", name="hp", bus=0, zone="city", p_max_mw=100.0)
    t.table("heat_boiler", name="hob", zone="city", h_max_mw_th=1000.0, cost_cny_per_mwh_th=100.0)
    out = t.solve(tmp_path)
    assert out.summary["objective_cny"] == pytest.approx(9000)
    assert list(series(out, "heat_pump_heat_mw_th", "hp")) == pytest.approx([300, 250])
    assert out.summary["heat_boiler_mwh"] == pytest.approx(50)


def test_hydro_reservoir_shifts_inflow_to_the_dear_hour(tmp_path):
    """Hydro 100 MW turbine, inflow 50 MW, reservoir 100 MWh half full, cyclic (end ≥ 50).
    Two hours bring 100 MWh, all used: dear never runs and cheap covers 200 − 100 MWh.
    Cost 100·10 = 1000 CNY."""
    t = _two_price_system("hydro", p_max_mw=100.0, inflow_mw=50.0, e_max_mwh=100.0)
    out = t.solve(tmp_path)
    assert out.summary["objective_cny"] == pytest.approx(1000)
    assert out.summary["hydro_generation_mwh"] == pytest.approx(100)


@pytest.mark.parametrize("peak_only, cost, boiler_mwh, curtailed_mwh", [
    (False, 37000, 400, 50), (True, 44000, 200, 100)])
def test_peak_only_boilers_leave_the_base_heat_to_chp(tmp_path, peak_only, cost, boiler_mwh,
                                                      curtailed_mwh):
    """Heat 400 MW_th, CHP h_max 300, a boiler of 200 MW_th at 10 CNY/MWh_th (cheaper than
    CHP heat). Free: the boiler gives 200 each hour, CHP h = 200 (p ≥ 100): day p = 150, fuel
    190; night p = 100, fuel 140, wind 50 cut → 33,000 + 4,000. Peak-only (以热定电): the
    boiler covers only 400 − 300 = 100; CHP h = 300 → p ≥ 150 → fuel 210 both hours, night
    wind all cut (100) → 42,000 + 2,000."""
    t = chp_system()
    t.net.heat_zone.loc[0, "demand_mw_th"] = 400.0
    t.table("heat_boiler", name="hob", zone="city", h_max_mw_th=200.0,
            cost_cny_per_mwh_th=10.0, peak_only=peak_only)
    s = t.solve(tmp_path).summary
    assert s["objective_cny"] == pytest.approx(cost)
    assert s["heat_boiler_mwh"] == pytest.approx(boiler_mwh)
    assert s["wind_curtailed_mwh"] == pytest.approx(curtailed_mwh)


@pytest.mark.parametrize("share, cost, boiler_mw_th", [
    (1.0, 37000, [200, 200]), (0.375, 40500, [150, 150]), (0.25, 44000, [100, 100])])
def test_a_boiler_share_limit_caps_the_hourly_boiler_heat(tmp_path, share, cost, boiler_mw_th):
    """The peak-only system above with demand_share_max_pu: each hour the boiler serves at
    most max(share × 400, 400 − 300) MW_th (cheaper than CHP heat, so it serves exactly
    that). 0.375: 150 → CHP h = 250 both hours: day p = 150, fuel 150 + 50; night p = 125
    (back-pressure line), fuel 125 + 50, 75 MWh of wind cut; boiler 300 → 20,000 + 17,500 +
    3,000. 0.25: 100, the peak-only minimum → 44,000. 1: no limit, 37,000. Exceeding the
    share (500 CNY/MWh_th) never pays here."""
    t = chp_system()
    t.net.heat_zone.loc[0, "demand_mw_th"] = 400.0
    t.table("heat_boiler", name="hob", zone="city", h_max_mw_th=200.0,
            cost_cny_per_mwh_th=10.0, demand_share_max_pu=share)
    out = t.solve(tmp_path)
    assert out.summary["objective_cny"] == pytest.approx(cost)
    assert list(series(out, "heat_boiler_heat_mw_th", "hob")) == pytest.approx(boiler_mw_th)


def test_base_heat_demand_runs_every_hour_on_top_of_the_profile(tmp_path):
    """Zone demand 300 MW_th × profile [1, 0] plus 100 MW_th of process steam every hour:
    [400, 100] MW_th, all from a boiler at 100 CNY/MWh_th → 50,000 CNY."""
    t = Tiny()
    t.gen("G", p_max_mw=1000, c1=20)
    t.profile("heat_city", [1.0, 0.0])
    t.table("heat_zone", name="city", demand_mw_th=300.0, demand_profile="heat_city",
            base_demand_mw_th=100.0)
    t.table("heat_boiler", name="hob", zone="city", h_max_mw_th=1000.0, cost_cny_per_mwh_th=100.0)
    out = t.solve(tmp_path)
    assert list(series(out, "heat_zone_demand_mw_th", "city")) == pytest.approx([400, 100])
    assert out.summary["objective_cny"] == pytest.approx(50_000)


def _banked_share_system(period):
    """chp_system with heat [200, 400] MW_th and a boiler at 50 CNY/MWh_th (dearer than CHP
    heat at c_v × 100 = 20), share 0.25 over `period`."""
    t = chp_system()
    t.profile("heat_city", [0.5, 1.0])
    t.net.heat_zone.loc[0, "demand_mw_th"] = 400.0
    t.net.heat_zone.loc[0, "demand_profile"] = "heat_city"
    t.table("heat_boiler", name="hob", zone="city", h_max_mw_th=400.0,
            cost_cny_per_mwh_th=50.0, demand_share_max_pu=0.25, share_period=period)
    return t


@pytest.mark.parametrize("period, case_toml, cost, boiler_mw_th, curtailed_mwh", [
    ("hour", "", 45000, [0, 100], 100),
    ("day", "", 44000, [0, 150], 75),
    ("season", "", 44000, [0, 150], 75),
    ("day", "[horizon]\nwindow_h = 1\nlookahead_h = 0\n", 44000, [0, 150], 75),
])
def test_a_banked_boiler_share_saves_the_unused_allowance(tmp_path, period, case_toml, cost,
                                                          boiler_mw_th, curtailed_mwh):
    """Day: heat 200, CHP covers it (p = 150 ≥ 0.5 · 200), the boiler idles: 19,000 CNY; its
    allowance 0.25 · 200 = 50 MWh_th goes unused. Night: heat 400, load 150, wind 100; each
    MW_th of boiler heat x frees 0.5 MW of CHP power for wind and saves 100 · 0.5 + 20 − 50
    = 20 CNY, so the boiler serves its whole allowance. Hourly: x = 100 (max(0.25 · 400,
    400 − 300)), p = 150, all wind cut: 15,000 + 6,000 + 5,000 = 26,000. Banked over the day
    or season: x = 100 + 50 = 150, p = 125, 75 cut: 12,500 + 5,000 + 7,500 = 25,000. The
    bank carries from a 1-h window to the next."""
    out = _banked_share_system(period).solve(tmp_path, case_toml)
    assert out.summary["objective_cny"] == pytest.approx(cost)
    assert list(series(out, "heat_boiler_heat_mw_th", "hob")) == pytest.approx(boiler_mw_th)
    assert out.summary["wind_curtailed_mwh"] == pytest.approx(curtailed_mwh)


def test_a_daily_share_bank_does_not_cross_midnight(tmp_path):
    """24-h steps: each step is its own day, so a daily bank equals the hourly share
    (45,000 × 24); a monthly one banks the first day's allowance (44,000 × 24)."""
    daily = _banked_share_system("day").solve(tmp_path / "d", dt_h=24.0)
    monthly = _banked_share_system("month").solve(tmp_path / "m", dt_h=24.0)
    assert daily.summary["objective_cny"] == pytest.approx(45000 * 24)
    assert monthly.summary["objective_cny"] == pytest.approx(44000 * 24)


def test_an_unknown_share_period_names_the_row(tmp_path):
    expected = r"heat_boiler\.hob\.share_period.*'week'.*hour \| day \| month \| season"
    with pytest.raises(NetworkError, match=expected):
        _banked_share_system("week").solve(tmp_path)
