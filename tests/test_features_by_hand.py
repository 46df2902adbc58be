"""Features without a test until now, each on a tiny system worked out by hand: export-link
imports and schedules, LP-cylinder cut-off, hydro minimum release, must-run, relaxed
commitment, the lp_fix start, reserve by share of load and by profile, multi-segment
piecewise-linear cost."""

import math

import pandapower as pp
import pytest
from tiny import Tiny, series

OFF = '[model]\ncommitment = "off"\n'


def _coal_and_load(load_mw=100.0, hours=2):
    t = Tiny()
    t.gen("coal", p_max_mw=200, c1=300)
    t.load("L", load_mw, series=[1.0] * hours)
    return t


def test_imports_replace_dearer_coal_up_to_the_link_limit(tmp_path):
    """Load 100 MW for 2 h, coal 300 CNY/MWh; a link imports ≤ 40 MW at 200 CNY/MWh with 10 %
    losses: 36 MW arrive (222 CNY per delivered MWh < 300), coal makes 64 MW.
    Cost per hour 40 × 200 + 64 × 300 = 27,200 CNY."""
    t = _coal_and_load()
    t.table("export_link", name="tie", bus=0, p_export_max_mw=0.0, p_import_max_mw=40.0,
            import_price_cny_per_mwh=200.0, loss_pu=0.1)
    out = t.solve(tmp_path, OFF)
    assert out.summary["objective_cny"] == pytest.approx(2 * 27_200)
    assert out.summary["import_mwh"] == pytest.approx(80)
    assert list(series(out, "thermal_p_mw", "coal")) == pytest.approx([64, 64])


def test_a_minimum_export_schedule_is_delivered(tmp_path):
    """A schedule of net export ≥ 30 MW in hour 1 and ≥ 0 in hour 2 (export worth nothing):
    coal makes 130 then 100 MW: 39,000 + 30,000 CNY."""
    t = _coal_and_load()
    t.profile("tie_min", [30.0, 0.0], "MW")
    t.table("export_link", name="tie", bus=0, p_export_max_mw=50.0,
            schedule_min_profile="tie_min")
    out = t.solve(tmp_path, OFF)
    assert list(series(out, "export_link_export_mw", "tie")) == pytest.approx([30, 0])
    assert out.summary["objective_cny"] == pytest.approx(69_000)


def test_a_schedule_beyond_the_link_capacity_is_clipped_to_it(tmp_path):
    """A fixed import schedule of 150 MW over a link of 40 MW import capacity, imports at
    400 CNY/MWh (dearer than the 300 CNY/MWh coal, so only the schedule makes them): the link
    imports its 40 MW, never more, and the window stays feasible (it was infeasible before
    schedules were clipped); coal makes the other 60 MW: 2 × (40·400 + 60·300) CNY."""
    t = _coal_and_load()
    t.profile("tie", [-150.0, -150.0], "MW")
    t.table("export_link", name="tie", bus=0, p_export_max_mw=0.0, p_import_max_mw=40.0,
            import_price_cny_per_mwh=400.0, schedule_min_profile="tie",
            schedule_max_profile="tie")
    out = t.solve(tmp_path, OFF)
    assert list(series(out, "export_link_import_mw", "tie")) == pytest.approx([40, 40])
    assert out.summary["objective_cny"] == pytest.approx(2 * (40 * 400 + 60 * 300))


def _chp(tmp_path, lpc_h_max_mw_th):
    """One bus, load 60 MW; a CHP unit (50-200 MW fuel-equivalent, 100 CNY/MWh, c_b 1.0,
    c_v 0.15, 100 MW_th extraction) and a 500 CNY/MWh_th boiler serve 100 MW_th."""
    t = Tiny()
    t.gen("chp_unit", p_min_mw=50, p_max_mw=200, c1=100)
    t.load("L", 60, series=[1.0])
    t.table("heat_zone", name="city", demand_mw_th=100.0)
    t.table("chp", name="chp1", unit="chp_unit", zone="city", c_b_pu=1.0, c_v_pu=0.15,
            h_max_mw_th=100.0, lpc_h_max_mw_th=lpc_h_max_mw_th)
    t.table("heat_boiler", name="boiler", zone="city", h_max_mw_th=200.0,
            cost_cny_per_mwh_th=500.0)
    return t.solve(tmp_path, OFF)


def test_lp_cylinder_cut_off_frees_heat_from_the_back_pressure_line(tmp_path):
    """Without the retrofit, extraction heat needs p ≥ c_b·h = h, and p = 60 (the load): 60
    MW_th from the CHP, 40 from the boiler; fuel 60 + 0.15·60 = 69 → 6,900 + 20,000 = 26,900
    CNY. With 100 MW_th of LP-cylinder cut-off the CHP covers all 100 MW_th at p = 60: fuel
    60 + 0.15·100 = 75 → 7,500 CNY, no boiler."""
    plain = _chp(tmp_path / "plain", 0.0)
    assert plain.summary["objective_cny"] == pytest.approx(26_900)
    assert plain.summary["heat_boiler_mwh"] == pytest.approx(40)
    lpc = _chp(tmp_path / "lpc", 100.0)
    assert lpc.summary["objective_cny"] == pytest.approx(7_500)
    assert lpc.summary["chp_heat_mwh"] == pytest.approx(100)
    assert lpc.summary["heat_boiler_mwh"] == pytest.approx(0)


def test_hydro_minimum_release_short_of_water_is_penalised(tmp_path):
    """A reservoir with 5 MWh and no inflow must release 10 MW each of 2 h: 15 MWh short at
    1,000 CNY/MWh (a penalty); its 5 MWh serve 5 of the 10 MWh of load, coal the other 5 at
    300 CNY/MWh. Objective 16,500 = penalty 15,000 + operating 1,500."""
    t = _coal_and_load(load_mw=5.0)
    t.table("hydro", name="dam", bus=0, p_max_mw=50.0, min_release_mw=10.0, inflow_mw=0.0,
            e_max_mwh=10.0, initial_soc_pu=0.5, cyclic=False, cyclic_each_window=False)
    out = t.solve(tmp_path, OFF)
    assert out.summary["objective_cny"] == pytest.approx(16_500)
    assert out.summary["penalty_cost_cny"] == pytest.approx(15_000)
    assert out.summary["hydro_generation_mwh"] == pytest.approx(5)


def _must_run(tmp_path, must_run):
    """A: 50-100 MW at 10 CNY/MWh; B: 0-100 MW at 5 CNY/MWh; load 60 MW for 2 h."""
    t = Tiny()
    t.gen("A", p_min_mw=50, p_max_mw=100, c1=10, must_run=must_run)
    t.gen("B", p_max_mw=100, c1=5)
    t.load("L", 60, series=[1.0, 1.0])
    return t.solve(tmp_path, '[model]\ncommitment = "binary"\n')


def test_must_run_keeps_a_unit_on_at_its_minimum(tmp_path):
    """Free: B alone, 2 × 60 × 5 = 600 CNY. A must run: A 50 + B 10 each hour,
    2 × (500 + 50) = 1,100 CNY."""
    assert _must_run(tmp_path / "free", False).summary["objective_cny"] == pytest.approx(600)
    forced = _must_run(tmp_path / "forced", True)
    assert forced.summary["objective_cny"] == pytest.approx(1_100)
    assert list(series(forced, "thermal_p_mw", "A")) == pytest.approx([50, 50])


def _plant(tmp_path, toml, load_mw=150.0):
    """Three 40-100 MW units (20 CNY/MWh, 500 CNY/h no-load)."""
    t = Tiny()
    t.gen("plant", p_min_mw=40, p_max_mw=100, c1=20, c0=500, n_units=3)
    t.load("L", load_mw)
    return t.solve(tmp_path, toml)


def test_relaxed_commitment_is_the_lp_bound(tmp_path):
    """Load 150 MW: on = 1.5 units, 150 × 20 + 1.5 × 500 = 3,750 CNY."""
    out = _plant(tmp_path, '[model]\ncommitment = "relaxed"\n')
    assert out.summary["objective_cny"] == pytest.approx(3_750)
    assert list(series(out, "thermal_on_count", "plant")) == pytest.approx([1.5])


def test_lp_fix_start_reaches_the_integer_optimum(tmp_path):
    """Clustered MIP with the LP-fix start, gap 0: 2 units, 3,000 + 1,000 = 4,000 CNY."""
    out = _plant(tmp_path, '[model]\ncommitment = "clustered"\n[solver]\nmip_gap = 0.0\n'
                           'mip_start = "lp_fix"\n')
    assert out.summary["objective_cny"] == pytest.approx(4_000)
    assert list(series(out, "thermal_on_count", "plant")) == [2]


@pytest.mark.parametrize("reserve", ["spinning_pct_of_load = 10", 'spinning_profile = "r"'])
def test_spinning_reserve_commits_a_third_unit(tmp_path, reserve):
    """Load 190 MW, reserve 10 % of load = 19 MW (or a 19 MW profile). Two units leave
    10 MW of headroom: the third is committed, 190 × 20 + 3 × 500 = 5,300 CNY (a 9 MW
    shortfall would cost 90,000). Without reserve: 2 units, 4,800 CNY."""
    t = Tiny()
    t.gen("plant", p_min_mw=40, p_max_mw=100, c1=20, c0=500, n_units=3)
    t.load("L", 190, series=[1.0])
    t.profile("r", [19.0], "MW")
    base = '[model]\ncommitment = "clustered"\n[solver]\nmip_gap = 0.0\n'
    out = t.solve(tmp_path / "r", base + f"[reserve]\n{reserve}\n")
    assert out.summary["objective_cny"] == pytest.approx(5_300)
    assert list(series(out, "thermal_on_count", "plant")) == [3]
    assert t.solve(tmp_path / "n", base).summary["objective_cny"] == pytest.approx(4_800)


def test_piecewise_linear_cost_dispatches_segment_by_segment(tmp_path):
    """A: 10 CNY/MWh up to 50 MW, 30 above (pandapower pwl_cost); B: 20 CNY/MWh. Load 80 MW:
    A's cheap segment (50 MW), then B (30 MW), not A's dear one: 500 + 600 = 1,100 CNY."""
    t = Tiny()
    idx = pp.create_gen(t.net, t.buses[0], 0.0, name="A", max_p_mw=100.0, min_p_mw=0.0,
                        slack=True, controllable=True)
    pp.create_pwl_cost(t.net, idx, "gen", [[0, 50, 10], [50, 100, 30]])
    t._slack = True
    t.gen("B", p_max_mw=100, c1=20)
    t.load("L", 80, series=[1.0])
    out = t.solve(tmp_path, OFF)
    assert out.summary["objective_cny"] == pytest.approx(1_100)
    assert list(series(out, "thermal_p_mw", "A")) == pytest.approx([50])


@pytest.mark.parametrize("limit_mwh,cost,excess_mwh", [(50.0, 22_550, 0.0),
                                                       (0.0, 1_543_500, 50.0)])
def test_a_scheduled_tie_leaves_its_schedule_within_its_volume_account(tmp_path, limit_mwh,
                                                                       cost, excess_mwh):
    """A: 50-200 MW at 10 CNY/MWh (on); a tie imports 50 MW by schedule at 420 CNY/MWh; load
    50 then 150 MW. Fixed, hour 1 would spill 50 MW (excess). With a ±50 MW band the import
    drops to 0 in hour 1 (+50 MWh on the account, 1 CNY/MWh): account limit 50 MWh → hour 2
    as scheduled: 500 + 1,000 + 21,000 + 50 = 22,550 CNY. The account holds at every hour, so
    a limit of 0 allows no deviation at all (not one repaid within the window): hour 1 spills
    50 MWh at 30,000 CNY/MWh: 500 + 1,000 + 42,000 + 1,500,000 = 1,543,500 CNY."""
    t = Tiny()
    t.gen("A", p_min_mw=50, p_max_mw=200, c1=10)
    t.load("L", 150, series=[50 / 150, 1.0])
    t.profile("tie", [-50.0, -50.0], "MW")
    t.table("export_link", name="tie", bus=0, p_export_max_mw=100.0, p_import_max_mw=100.0,
            import_price_cny_per_mwh=420.0, schedule_min_profile="tie",
            schedule_max_profile="tie", schedule_band_mw=50.0, deviation_limit_mwh=limit_mwh)
    out = t.solve(tmp_path, OFF)
    assert out.summary["excess_energy_mwh"] == pytest.approx(excess_mwh)
    assert out.summary["objective_cny"] == pytest.approx(cost)
    assert out.summary["import_mwh"] == pytest.approx(100 - limit_mwh)  # schedule: 100 MWh


def test_a_shiftable_load_moves_energy_into_a_curtailed_hour(tmp_path):
    """Load 100 MW for 2 h; wind 150 MW in hour 1, none in hour 2; coal at 300 CNY/MWh.
    Without flexibility coal makes 100 MWh in hour 2 (30,000 CNY) and 50 MWh of wind are
    curtailed. A 30 MW shiftable load (energy-neutral over the 2-h period) moves 30 MWh into
    hour 1: coal 70 MWh = 21,000 CNY, curtailment 20 MWh."""
    t = _coal_and_load()
    t.renewable("wind", "wind", 150, series=[1.0, 0.0])
    t.table("flexible_load", name="smelter", bus=0, kind="shiftable", p_up_max_mw=30.0,
            p_down_max_mw=30.0, period_h=2.0)
    out = t.solve(tmp_path, OFF)
    assert out.summary["objective_cny"] == pytest.approx(21_000)
    assert list(series(out, "flexible_load_up_mw", "smelter")) == pytest.approx([30, 0])
    assert list(series(out, "flexible_load_down_mw", "smelter")) == pytest.approx([0, 30])
    assert out.summary["renewable_curtailed_mwh"] == pytest.approx(20)


def test_an_interruptible_load_is_cut_within_its_hours(tmp_path):
    """Load 100 MW for 2 h, coal only 80 MW at 300 CNY/MWh, unserved energy 30,000 CNY/MWh.
    An interruptible 30 MW load at 1,000 CNY/MWh, at most 1 h at full cut per 24-h period
    (30 MWh; the 2-h run is 2/24 of a period: 2.5 MWh): it cuts 2.5 MWh, 37.5 MWh stay
    unserved: 160·300 + 2.5·1,000 + 37.5·30,000 CNY."""
    t = Tiny()
    t.gen("coal", p_max_mw=80, c1=300)
    t.load("L", 100, series=[1.0, 1.0])
    t.table("flexible_load", name="plant", bus=0, kind="interruptible", p_down_max_mw=30.0,
            max_hours_per_period_h=1.0, cost_cny_per_mwh=1000.0)
    out = t.solve(tmp_path, OFF)
    assert out.summary["flexible_load_down_mwh"] == pytest.approx(2.5)
    assert out.summary["objective_cny"] == pytest.approx(160 * 300 + 2.5 * 1000 + 37.5 * 30000)


def test_a_window_that_cuts_flexible_load_periods_is_refused(tmp_path):
    """Periods count from each window's start: 12-h windows with a 24-h period would keep half
    a day's shift and spend its budget twice, so the case is refused, naming the key."""
    from gridmodel.errors import CaseError

    t = _coal_and_load()
    t.table("flexible_load", name="smelter", bus=0, kind="shiftable", p_up_max_mw=30.0,
            p_down_max_mw=30.0, period_h=24.0)
    with pytest.raises(CaseError, match=r"horizon\.window_h.*period_h \(24 h\)"):
        t.solve(tmp_path, OFF + "[horizon]\nwindow_h = 12\nlookahead_h = 0\n")


def _west_corridor(folder, line_rating: str, stability_rated: bool = True):
    """Wind 3,000 MW at bus 0; load 3,000 MW and coal (300 CNY/MWh) at bus 1; a 160-km,
    two-circuit 500 kV corridor (x 0.28 Ω/km, 13 nF/km, 2 kA per circuit), one hour."""
    t = Tiny(2, vn_kv=500.0)
    line = pp.create_line_from_parameters(t.net, t.buses[0], t.buses[1], 160.0, 0.018, 0.28,
                                          13.0, 2.0, parallel=2)
    t.net.line.loc[line, "max_loading_percent"] = 100.0
    t.net.line.loc[line, "stability_rated"] = stability_rated
    t.gen("coal", bus=1, p_max_mw=3000, c1=300)
    t.load("L", 3000, bus=1, series=[1.0])
    t.renewable("wind", "wind", 3000, bus=0, series=[1.0])
    return t.solve(folder / f"{line_rating}_{stability_rated}",
                   OFF + f'network = "dc"\nline_rating = "{line_rating}"\n')


@pytest.mark.slow  # moved to make test-all to keep make test under 90 s (2026-12-03)
def test_a_long_corridor_carries_its_n1_stability_limit_not_its_thermal_rating(tmp_path):
    """Thermal rating 2 × 2 kA × 500 kV × √3 = 3,464 MW carries all 3,000 MW of wind. The
    N−1 stability limit is one circuit at the St. Clair loadability of 160 km, 2.0 × SIL,
    SIL = 500² / √(x / ωc) = 954.8 MW: 1,909.6 MW; coal makes the rest."""
    sil_mw = 500.0 ** 2 / math.sqrt(0.28 / (2 * math.pi * 50 * 13e-9))
    limit_mw = 2.0 * sil_mw
    assert _west_corridor(tmp_path, "thermal").summary["renewable_curtailed_mwh"] == pytest.approx(0)
    out = _west_corridor(tmp_path, "stability_n1")
    assert out.summary["renewable_curtailed_mwh"] == pytest.approx(3000 - limit_mw, rel=1e-6)
    assert out.summary["objective_cny"] == pytest.approx(300 * (3000 - limit_mw), rel=1e-6)
    # a tie rated at its published transfer capacity keeps the thermal 3,464 MW
    tie = _west_corridor(tmp_path, "stability_n1", stability_rated=False)
    assert tie.summary["renewable_curtailed_mwh"] == pytest.approx(0)


def test_a_tie_schedule_scales_with_its_year_volume(tmp_path):
    """A tie imports 50 MW by schedule; `schedule_scale = 1.2` makes it 60 MW: load 100 MW,
    coal at 10 CNY/MWh serves 40 MW, the import (420 CNY/MWh) 60 MW: 400 + 25,200 CNY."""
    t = Tiny()
    t.gen("A", p_max_mw=200, c1=10)
    t.load("L", 100, series=[1.0])
    t.profile("tie", [-50.0], "MW")
    t.table("export_link", name="tie", bus=0, p_export_max_mw=100.0, p_import_max_mw=100.0,
            import_price_cny_per_mwh=420.0, schedule_min_profile="tie",
            schedule_max_profile="tie", schedule_scale=1.2)
    out = t.solve(tmp_path, OFF)
    assert out.summary["import_mwh"] == pytest.approx(60)
    assert out.summary["objective_cny"] == pytest.approx(25_600)


@pytest.mark.parametrize("load_mw,deep_mwh,payment_cny,cost_cny", [
    (45.0, 5.0, 2_000.0, 6_500.0),      # 50 → 45 MW: tier 1 only
    (30.0, 20.0, 14_000.0, 17_000.0),   # 50 → 30 MW: tier 1 full (10 MW), tier 2 10 MW
])
def test_peak_regulation_pays_each_tier_below_the_normal_minimum(tmp_path, load_mw,
                                                                 deep_mwh, payment_cny,
                                                                 cost_cny):
    """Coal 100 MW, normal minimum 50 MW, must run, 100 CNY/MWh; load L for 1 h. Tiers:
    40–50 % of rating at 400 CNY/MWh, 20–40 % at 1,000 CNY/MWh. Without the market the MW
    below 50 would be excess energy (30,000 CNY/MWh). L = 45: coal goes to 45 MW, 5 MWh in
    tier 1: 2,000 CNY; operating 45·100 + 2,000 = 6,500 CNY. L = 30: tier 1 full (10 MWh ×
    400) and 10 MWh of tier 2 (× 1,000): 14,000 CNY; operating 30·100 + 14,000 = 17,000."""
    t = Tiny()
    t.gen("coal", p_min_mw=50, p_max_mw=100, c1=100, must_run=True)
    t.load("L", load_mw, series=[1.0])
    t.table("peak_regulation", name="tier1", load_from_pu=0.4, load_to_pu=0.5,
            price_cny_per_mwh=400.0)
    t.table("peak_regulation", name="tier2", load_from_pu=0.2, load_to_pu=0.4,
            price_cny_per_mwh=1000.0)
    out = t.solve(tmp_path, '[model]\ncommitment = "binary"\n')
    assert out.summary["peak_regulation_mwh"] == pytest.approx(deep_mwh)
    assert out.summary["peak_regulation_payment_cny"] == pytest.approx(payment_cny)
    assert out.summary["operating_cost_cny"] == pytest.approx(cost_cny)


def test_a_line_rating_set_by_the_case(tmp_path):
    """Cheap coal (10 CNY/MWh) at bus 0, dear gas (100) and a 80 MW load at bus 1, one line
    rated 100 MW: coal serves all, 800 CNY. The case sets the line to 30 MW (by its name):
    coal 30 + gas 50 = 300 + 5,000 = 5,300 CNY. An unknown line is named in one line."""
    from gridmodel.errors import CaseError

    t = Tiny(2)
    t.line(0, 1, rating_mw=100)
    t.net.line.loc[0, "name"] = "west-east"
    t.gen("coal", bus=0, p_max_mw=200, c1=10)
    t.gen("gas", bus=1, p_max_mw=200, c1=100)
    t.load("L", 80, bus=1, series=[1.0])
    assert t.solve(tmp_path / "a", OFF).summary["objective_cny"] == pytest.approx(800)
    rated = OFF + '[overrides.line.west-east]\nrating_mw = 30.0\n'
    assert t.solve(tmp_path / "b", rated).summary["objective_cny"] == pytest.approx(5_300)
    with pytest.raises(CaseError, match="overrides.line.north"):
        t.solve(tmp_path / "c", OFF + '[overrides.line.north]\nrating_mw = 30.0\n')


def test_a_case_adds_a_plant_and_a_store(tmp_path):
    """Coal 100 MW at 10 and gas at 100 CNY/MWh; load 50 then 150 MW (2 h). The case adds a
    battery (100 MWh, 50 MW, eta 1, empty, not cyclic) and a 20 MW peaker at 50 CNY/MWh: the
    battery charges 50 MW of spare coal in hour 0 and gives it back in hour 1, so hour 1 is
    coal 100 + battery 50: cost 10 × (100 + 100) = 2,000 CNY (without them: 500 + 1,000 +
    50 × 100 = 6,500). A name that exists, an unknown bus or column is one line."""
    from gridmodel.errors import GridmodelError

    t = Tiny()
    t.gen("coal", p_max_mw=100, c1=10)
    t.gen("gas", p_max_mw=200, c1=100)
    t.load("L", 150, series=[1 / 3, 1.0])
    added = OFF + ('[assets.battery.new_bat]\nbus = "b0"\ne_max_mwh = 100.0\n'
                   'p_in_max_mw = 50.0\np_out_max_mw = 50.0\neta_in_pu = 1.0\n'
                   'eta_out_pu = 1.0\ninitial_soc_pu = 0.0\ncyclic = false\n'
                   '[assets.thermal.peaker]\nbus = "b0"\np_max_mw = 20.0\n'
                   'cost_c1_cny_per_mwh = 50.0\n')
    assert t.solve(tmp_path / "a", OFF).summary["objective_cny"] == pytest.approx(6_500)
    assert t.solve(tmp_path / "b", added).summary["objective_cny"] == pytest.approx(2_000)
    for bad, word in (('[assets.thermal.coal]\nbus = "b0"\np_max_mw = 5.0\n', "exists"),
                      ('[assets.thermal.x]\nbus = "nowhere"\np_max_mw = 5.0\n', "unknown bus"),
                      ('[assets.thermal.x]\nbus = "b0"\np_max_mw = 5.0\ncolour = 1\n',
                       "unknown column"),
                      ('[assets.thermal.x]\nbus = "b0"\np_max_mw = -5.0\n', "p_max_mw")):
        with pytest.raises(GridmodelError, match=word):
            t.solve(tmp_path / "c", OFF + bad)
