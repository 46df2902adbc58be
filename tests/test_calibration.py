"""Calibration report on a hand-made year: daily steps, one wind and one solar asset."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from gridmodel.calibration import (
    QUARTER_USED_H,
    model_figures,
    monthly_generation_rows,
    quarterly_wind_rows,
    report,
    verdict,
)


def _year(q1_used_mw: float = 45.0, rest_used_mw: float = 80.0) -> xr.Dataset:
    """Wind 100 MW available every day; used q1_used_mw in Jan–Mar, rest_used_mw after.
    Solar (50 MW available, none used) must not count as wind. Heat: 100 MW_th every day,
    CHP 90 MW_th in January and 60 MW_th in every other month."""
    time = pd.date_range("2016-01-01", "2016-12-31", freq="D")
    q1 = time.month <= 3
    used = np.where(q1, q1_used_mw, rest_used_mw)
    chp = np.where(time.month == 1, 90.0, 60.0)
    return xr.Dataset({
        "heat_zone_demand_mw_th": (("time", "heat_zone"), np.full((len(time), 1), 100.0)),
        "chp_heat_mw_th": (("time", "chp"), chp[:, None]),
        "renewable_available_mw": (("time", "renewable"),
                                   np.column_stack([np.full(len(time), 100.0),
                                                    np.full(len(time), 50.0)])),
        "renewable_used_mw": (("time", "renewable"),
                              np.column_stack([used, np.zeros(len(time))])),
    }, coords={"time": time, "renewable": ["w", "s"],
               "renewable_kind": ("renewable", ["wind", "solar"])})


SUMMARY = {"wind_used_mwh": 6.5e6, "load_mwh": 66.8e6, "thermal_generation_mwh": 58e6,
           "export_mwh": 19.6e6, "import_mwh": 12.2e6, "hydro_generation_mwh": 7.9e6,
           "heat_demand_mwh": 60e6, "unserved_heat_mwh": 30e3, "excess_energy_mwh": 10e3}


def test_curtailment_by_season_from_daily_energy():
    figures = model_figures(_year(), SUMMARY)
    # Q1: 45 of 100 used; year: (45·91 + 80·275) of 100·366 days used
    assert figures["q1_wind_curtailment_pct"] == pytest.approx(55.0)
    assert figures["wind_curtailment_pct"] == pytest.approx(100 * (1 - 26095 / 36600))
    assert figures["spring_wind_curtailment_pct"] == pytest.approx(20.0)
    assert figures["unserved_heat_pct"] == pytest.approx(0.05)       # 30 GWh of 60 TWh
    # Nov–Mar 2016: 31 January days at 90, 121 other days at 60, of 152 days at 100 MW_th
    assert figures["chp_winter_heat_pct"] == pytest.approx((31 * 90 + 121 * 60) / 152)
    assert figures["excess_energy_pct"] == pytest.approx(100 * 10e3 / 66.8e6)


def test_quarter_shares_against_full_load_hours():
    rows = {r["quarter"]: r for r in quarterly_wind_rows(_year())}
    hours = sum(QUARTER_USED_H.values())
    assert sum(QUARTER_USED_H.values()) == 1410                      # S15/S18 year hours
    assert rows[1]["model_share_pct"] == pytest.approx(100 * 45 * 91 / 26095)
    assert rows[1]["statistic_share_pct"] == pytest.approx(100 * 224 / hours)
    assert rows[1]["met"]                                             # 15.7 vs 15.9 %
    assert not rows[2]["met"]                                         # 27.9 vs 32.1 %


def test_report_flags_what_is_out_of_range():
    """Summer (Jun–Aug 20 %, range 0–15) and the excess slack miss; the quarter shares
    15.7 / 27.9 / 28.2 / 28.2 % against 15.9 / 32.1 / 19.4 / 32.6 % miss in Q2–Q4."""
    text, all_met, quarters_off = report(_year(), SUMMARY)
    assert not all_met
    assert quarters_off == [2, 3, 4]
    assert "| wind curtailment, Q1 | 55.00 % | 53 % | 45–60 | yes |" in text
    assert "| excess-energy slack | 0.015 % of load | 0 % of load | 0–0.01 | NO |" in text
    assert "| Q2 | 20.0 % |" in text


def test_the_verdict_keeps_the_quarter_check_apart_from_the_targets():
    assert verdict(False, [2]) == "some targets missed"
    assert verdict(True, []) == "all targets met"
    assert verdict(True, [2, 4]) == ("all targets met; secondary check: Q2, Q4 share of the "
                                     "year's wind outside ± 3 pp")


def test_quarters_outside_the_run_are_left_out():
    week = _year().isel(time=slice(0, 7))
    assert [r["quarter"] for r in quarterly_wind_rows(week)] == [1]


def test_monthly_generation_beside_nbs_covers_whole_periods_only():
    stats = pd.DataFrame({"wind": [70.0] + [50.0] * 10, "hydro": 1.0, "thermal": 2.0},
                         index=["1-2"] + [str(m) for m in range(3, 13)])
    rows = {r["period"]: r for r in monthly_generation_rows(_year(), stats)}
    assert list(rows) == list(stats.index)
    # Jan–Feb 2016: 60 days × 24 h × 45 MW used; April: 30 days × 24 h × 80 MW
    assert rows["1-2"]["wind_model_gwh"] == pytest.approx(60 * 24 * 45 / 1e3)
    assert rows["4"]["wind_model_gwh"] == pytest.approx(30 * 24 * 80 / 1e3)
    assert rows["4"]["wind_nbs_gwh"] == 50.0
    assert rows["4"]["curtailment_pct"] == pytest.approx(20.0)
    assert rows["4"]["hydro_model_gwh"] == 0.0 and rows["4"]["thermal_model_gwh"] == 0.0
    # a run of 40 days holds January only: no NBS period is complete
    assert monthly_generation_rows(_year().isel(time=slice(0, 40)), stats) == []
