"""The NBS monthly table (S5) against the reference's independent figures, and its reader."""

import numpy as np
import pandas as pd
import pytest

from gridmodel.errors import InputError
from gridmodel.profiles import nbs
from gridmodel.profiles.jilin import hours, inflow_pu


def test_nbs_periods_add_up_to_the_years_statistics():
    gwh = nbs.periods_gwh()
    assert list(gwh.index) == ["1-2"] + [str(m) for m in range(3, 13)]
    total = gwh.sum()
    assert total["wind"] == pytest.approx(6690, rel=0.005)      # S12 6.69 TWh
    assert total["hydro"] == pytest.approx(7870, rel=0.005)     # S12 7.87 TWh
    assert total["thermal"] == pytest.approx(57800, rel=0.005)  # S12 57.8 TWh
    q1 = gwh.loc[["1-2", "3"], "wind"].sum()
    h1 = q1 + gwh.loc[["4", "5", "6"], "wind"].sum()
    # full-load hours on 4.9–5.1 GW in service: Q1 224 h (S17), H1 677 h (S19)
    assert 224 * 4.9 <= q1 <= 224 * 5.1 and 677 * 4.9 <= h1 <= 677 * 5.1


def test_january_and_february_share_their_total_by_hours():
    hours_in = [744, 696] + [720] * 10
    mean = nbs.monthly_mean_mw("wind", hours_in)
    jan_feb = nbs.periods_gwh().at["1-2", "wind"]
    assert mean[0] == mean[1] == pytest.approx(jan_feb * 1e3 / (744 + 696))


def test_hydro_inflow_follows_the_nbs_monthly_shape():
    t = hours()
    q = inflow_pu(t, np.random.default_rng(0))["songhua"]
    hours_in = np.bincount(t.month, minlength=13)[1:]
    target = np.asarray(nbs.monthly_mean_mw("hydro", hours_in))
    by_month = pd.Series(q, index=t).groupby(t.month).mean().to_numpy()
    assert q.mean() == pytest.approx(1.0)
    assert by_month == pytest.approx(target / (target @ hours_in / hours_in.sum()))


def test_a_decreasing_year_to_date_is_refused(tmp_path):
    bad = tmp_path / "nbs.csv"
    rows = pd.read_csv(nbs.MONTHLY_CSV)
    rows.loc[3, "wind_ytd_gwh"] = 1.0
    rows.to_csv(bad, index=False)
    with pytest.raises(InputError, match="nbs.csv.*never decreasing"):
        nbs.periods_gwh(bad)


def test_monthly_net_export_is_generation_minus_consumption_and_keeps_the_year():
    """June by hand: NBS 486.07 + 990 + 3,550 GWh over 720 h, plus the uncounted generation
    ((66,770 + 7,400 − 72,402.07) GWh flat over 8,784 h = 201.27 MW), minus June's 5,090 GWh
    of consumption: 6,980.65 + 201.27 − 7,069.44 = 112.48 MW."""
    from gridmodel.profiles.jilin import monthly_net_export_mw, tie_schedules_mw

    t = hours()
    hours_in = np.bincount(t.month, minlength=13)[1:]
    net = monthly_net_export_mw(hours_in)
    assert net @ hours_in == pytest.approx(7.4e6)                     # S12 net export
    assert net[5] == pytest.approx(112.48, abs=0.01)
    assert net[0] == net[1]                                           # Jan–Feb published together
    ties = tie_schedules_mw(t)
    for name in ("liaoning_schedule", "liaoning_schedule_monthly"):
        assert ties[name].sum() == pytest.approx(19624e3, rel=5e-4)   # S12 Jilin→Liaoning


def test_small_plants_carry_the_generation_nbs_does_not_count():
    """embedded_generation.csv: (66,770 + 7,400 − 72,402.07) GWh over 8,784 h = 201.27 MW
    outside the NBS totals (S5, S12), less the modelled PV (70 MW at ≈ 1,300 full-load hours
    = 10.36 MW mean), ≈ 190.9 MW, split by the prefectures' load shares."""
    folder = nbs.MONTHLY_CSV.parent
    small = pd.read_csv(folder / "embedded_generation.csv").set_index("bus")["p_mw"]
    buses = pd.read_csv(folder / "buses.csv").set_index("name")
    share = buses.loc[buses["kind"] == "prefecture", "load_share_pct"] / 100
    uncounted_mw = (66770 + 7400 - nbs.periods_gwh()["wind"].sum() - 7870 - 57840) * 1e3 / 8784
    assert uncounted_mw == pytest.approx(201.27, abs=0.01)
    assert small.sum() == pytest.approx(uncounted_mw - 70 * 1300 / 8784, abs=0.5)
    assert small.sort_index().to_numpy() == pytest.approx(
        (small.sum() * share).sort_index().to_numpy(), abs=0.01)
