"""Export contracts (送电计划) worked by hand: energy per month carried across windows,
maximum, ramp (docs/methods.md "Export contracts")."""

import pytest
from tiny import Tiny, series

OFF = '[model]\ncommitment = "off"\n'
HOURLY = OFF + "[horizon]\nwindow_h = 1\nlookahead_h = 0\n"


def _case(value_cny_per_mwh: float, schedule=None, **contract):
    """One bus from 2016-01-01: coal 0-200 MW at 300 CNY/MWh, load 50 MW for 2 h, a 100 MW
    link selling at `value`; an optional hourly maximum schedule of the link."""
    t = Tiny()
    t.gen("coal", p_max_mw=200, c1=300)
    t.load("L", 50, series=[1.0, 1.0])
    link = {"name": "uhv", "bus": 0, "p_export_max_mw": 100.0,
            "export_value_cny_per_mwh": value_cny_per_mwh}
    if schedule is not None:
        t.profile("uhv_max", schedule, "MW")
        link["schedule_max_profile"] = "uhv_max"
    t.table("export_link", **link)
    t.table("export_contract", name="c", link="uhv", **contract)
    return t


def test_a_monthly_minimum_forces_export_in_a_low_value_hour(tmp_path):
    """Export is worth 100 CNY/MWh against 300 for coal: nothing is exported unless a
    contract asks. 744 MWh in January (744 h) → the 2-h window owes 744 × 2/744 = 2 MWh:
    coal 102 MWh = 30,600 CNY, revenue 200: objective 30,400."""
    out = _case(100.0, month_min_mwh=744.0).solve(tmp_path, OFF)
    assert sum(series(out, "export_link_export_mw", "uhv")) == pytest.approx(2)
    assert out.summary["objective_cny"] == pytest.approx(30_400)


def test_a_missed_share_is_carried_to_the_next_window_and_paid_as_shortfall(tmp_path):
    """1-h windows; the link is closed in hour 1 (schedule 0): window 1 owes 744 × 1/744 =
    1 MWh and pays 1 MWh × 2,000 CNY of shortfall; window 2 owes all 744 MWh still missing
    over the 743 h left: 744/743 MWh. Objective: 50·300 + 2,000 + (50 + 744/743)·300 −
    (744/743)·100."""
    out = _case(100.0, schedule=[0.0, 100.0], month_min_mwh=744.0).solve(tmp_path, HOURLY)
    sent = 744 / 743
    assert list(series(out, "export_link_export_mw", "uhv")) == pytest.approx([0, sent])
    assert out.summary["export_contract_shortfall_mwh"] == pytest.approx(1)
    assert out.summary["objective_cny"] == pytest.approx(
        50 * 300 + 2000 + (50 + sent) * 300 - sent * 100)


def test_a_monthly_maximum_caps_export_in_high_value_hours(tmp_path):
    """Export worth 400 CNY/MWh (coal 300): the link would run at 100 MW; at most 30 MWh
    in the month: 30 MWh exported over the two hours."""
    out = _case(400.0, month_max_mwh=30.0).solve(tmp_path, OFF)
    assert sum(series(out, "export_link_export_mw", "uhv")) == pytest.approx(30)


@pytest.mark.parametrize("pro_rata,sent", [(False, [100, 100]), (True, [1, 1])])
def test_a_pro_rata_monthly_maximum_spreads_the_volume(tmp_path, pro_rata, sent):
    """Export worth 400 CNY/MWh (coal 300), 744 MWh at most in January, 1-h windows. Any
    window may use the whole allowance: 100 MW in both hours (front-loading the month).
    Pro rata: window 1 may send 744 × 1/744 = 1 MWh, window 2 (744 − 1) × 1/743 = 1 MWh."""
    out = _case(400.0, month_max_mwh=744.0, month_max_pro_rata=pro_rata).solve(tmp_path, HOURLY)
    assert list(series(out, "export_link_export_mw", "uhv")) == pytest.approx(sent)


def test_the_ramp_limit_binds_between_hours_and_windows(tmp_path):
    """Export worth 400 CNY/MWh, link closed in hour 1, ramp 10 MW/h: in 1-h windows the
    second window starts from the first one's 0 MW and may reach 10 MW."""
    out = _case(400.0, schedule=[0.0, 100.0], ramp_mw_per_h=10.0).solve(tmp_path, HOURLY)
    assert list(series(out, "export_link_export_mw", "uhv")) == pytest.approx([0, 10])


def test_per_link_summary_energy_revenue_share_and_contract_months(tmp_path):
    """The first case: 2 MWh sent at 100 CNY/MWh = 200 CNY; no wind: renewable share 0;
    January's net export 2 MWh against a 744 MWh minimum: 742 MWh short for the month
    (the 2-h run delivered its share, the month is not over)."""
    out = _case(100.0, month_min_mwh=744.0).solve(tmp_path, OFF)
    link = out.summary["export_links"]["uhv"]
    assert (link["export_mwh"], link["revenue_cny"]) == (pytest.approx(2), pytest.approx(200))
    assert link["renewable_share_pct"] == 0
    assert link["contract_by_month"]["2016-01"]["shortfall_mwh"] == pytest.approx(742)


def _day_case(value_cny_per_mwh: float, wind_mw: float = 0.0, **contract):
    """24 h from midnight: coal 0-300 MW at 300 CNY/MWh, load 50 MW, a 100 MW link selling
    at `value` (above coal: it wants to run full), optional wind dedicated to the link."""
    t = Tiny()
    t.gen("coal", p_max_mw=300, c1=300)
    t.load("L", 50, series=[1.0] * 24)
    if wind_mw:
        t.renewable("wind", "wind", wind_mw, series=[1.0] * 24)
    t.table("export_link", name="uhv", bus=0, p_export_max_mw=100.0,
            export_value_cny_per_mwh=value_cny_per_mwh)
    t.table("export_contract", name="c", link="uhv", **contract)
    return t


def test_a_delivery_curve_shapes_the_day(tmp_path):
    """Curve 2.0 pu in hours 0-11 and 0 in 12-23, band 0: export = shape × level with the
    link's 100 MW capping 2 × level: level 50, 100 MW in the morning, 0 after noon."""
    curve = ",".join(["2.0"] * 12 + ["0.0"] * 12)
    out = _day_case(400.0, delivery_curve_pu=curve, delivery_band_pu=0.0).solve(tmp_path, OFF)
    assert list(series(out, "export_link_export_mw", "uhv")) == pytest.approx(
        [100.0] * 12 + [0.0] * 12)


def test_a_renewable_share_limits_bundled_export(tmp_path):
    """30 MW of wind dedicated to the link, at least 50 % renewable in what the link sends
    over the window: the renewable part is at most min(export, 30) each hour, so the day's
    export is at most 24 × 30 / 0.5 = 1,440 MWh (it would send 2,400), reached only with
    ≥ 30 MW in every hour (how it is spread is not unique); the link's KPI share
    Σ min(export, 30) / Σ export = 720 / 1,440 = 50 %."""
    case = _day_case(400.0, wind_mw=30.0, renewable_assets="wind", min_renewable_share_pu=0.5)
    out = case.solve(tmp_path, OFF)
    sent = series(out, "export_link_export_mw", "uhv")
    assert sent.sum() == pytest.approx(1440) and sent.min() >= 30 - 1e-6
    assert out.summary["export_links"]["uhv"]["renewable_share_pct"] == pytest.approx(50)


@pytest.mark.parametrize("terms, key", [
    ({"delivery_curve_pu": "1,1,1"}, "delivery_curve_pu"),
    ({"renewable_assets": "nowhere", "min_renewable_share_pu": 0.5}, "renewable_assets"),
    ({"min_renewable_share_pu": 0.5}, "renewable_assets"),
    ({"min_renewable_share_pu": 1.5}, "min_renewable_share_pu"),
])
def test_bad_contract_terms_are_refused_naming_the_column(tmp_path, terms, key):
    from gridmodel.errors import GridmodelError

    with pytest.raises(GridmodelError) as err:
        _day_case(400.0, **terms).solve(tmp_path, OFF)
    assert key in str(err.value) and "export_contract.c" in str(err.value)


@pytest.mark.parametrize("text", [",".join(["1"] * 23 + ["x"]), ",".join(["-1"] * 24),
                                  ",".join(["inf"] * 24)])
def test_a_curve_needs_24_finite_values_not_below_zero(text):
    from types import SimpleNamespace

    from gridmodel.model.techs.export_contract import curve_pu

    with pytest.raises(ValueError):
        curve_pu(SimpleNamespace(delivery_curve_pu=text))
    assert curve_pu(SimpleNamespace(delivery_curve_pu="")) is None


def test_an_export_price_per_period_decides_when_to_export(tmp_path):
    """Coal 300 CNY/MWh, load 50 MW for 2 h, a 100 MW link at 200 CNY/MWh × profile
    (0.5, 2.0): 100 then 400 CNY/MWh — nothing in hour 1, 100 MW in hour 2:
    50·300 + 150·300 − 100·400 = 20,000 CNY."""
    t = Tiny()
    t.gen("coal", p_max_mw=200, c1=300)
    t.load("L", 50, series=[1.0, 1.0])
    t.profile("peak", [0.5, 2.0], "pu")
    t.table("export_link", name="uhv", bus=0, p_export_max_mw=100.0,
            export_value_cny_per_mwh=200.0, export_value_profile="peak")
    out = t.solve(tmp_path, OFF)
    assert list(series(out, "export_link_export_mw", "uhv")) == pytest.approx([0, 100])
    assert out.summary["objective_cny"] == pytest.approx(20_000)
    assert out.summary["export_links"]["uhv"]["revenue_cny"] == pytest.approx(40_000)


def test_ramp_from_the_last_window_and_a_renewable_share_never_make_a_window_infeasible(
        tmp_path):
    """1-h windows, export worth 400 CNY/MWh (coal 300), 30 MW of dedicated wind in hour 1
    and none in hour 2, ≥ 50 % renewable share, ramp 10 MW/h. Hour 1 sends 60 MW (30 / 0.5).
    Hour 2 must stay ≥ 50 MW by the ramp but has no wind: with hard terms this window was
    infeasible. Now the cheapest way out is sending 50 MW and paying 25 renewable MWh of
    shortfall (25 × 2,000 = 50,000 CNY; breaking the ramp would cost 2,000 per MW)."""
    t = Tiny()
    t.gen("coal", p_max_mw=300, c1=300)
    t.load("L", 50, series=[1.0, 1.0])
    t.renewable("wind", "wind", 30.0, series=[1.0, 0.0])
    t.table("export_link", name="uhv", bus=0, p_export_max_mw=100.0,
            export_value_cny_per_mwh=400.0)
    t.table("export_contract", name="c", link="uhv", renewable_assets="wind",
            min_renewable_share_pu=0.5, ramp_mw_per_h=10.0)
    out = t.solve(tmp_path, HOURLY)
    assert list(series(out, "export_link_export_mw", "uhv")) == pytest.approx([60, 50])
    assert out.summary["export_contract_shortfall_mwh"] == pytest.approx(25)
