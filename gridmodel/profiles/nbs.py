"""NBS monthly generation of Jilin, 2016 (networks/jilin/nbs_monthly_2016.csv, S5).

The file holds the published year-to-date figures (GWh); NBS publishes January and February
together, so the first period is "1-2"."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import InputError

MONTHLY_CSV = Path(__file__).resolve().parents[2] / "networks" / "jilin" / "nbs_monthly_2016.csv"
CARRIERS = ("wind", "hydro", "thermal")


def periods_gwh(path: Path = MONTHLY_CSV) -> pd.DataFrame:
    """Generation per published period (GWh): index "1-2", "3", …, "12"; one column per
    carrier."""
    columns = [f"{c}_ytd_gwh" for c in CARRIERS]
    try:
        ytd = pd.read_csv(path, index_col="period_end")[columns].astype(float)
    except (OSError, KeyError, ValueError) as err:
        raise InputError(path, "period_end, " + ", ".join(columns), f"unreadable ({err})",
                         "GWh year to date, numbers") from None
    if list(ytd.index) != [f"2016-{m:02d}" for m in range(2, 13)] or (ytd.diff() < 0).any().any():
        raise InputError(path, "period_end", "not one row per month 2016-02 … 2016-12",
                         "GWh year to date, never decreasing")
    out = ytd.diff().fillna(ytd.iloc[0])
    out.index = ["1-2"] + [str(m) for m in range(3, 13)]
    out.columns = list(CARRIERS)
    return out


def monthly_mean_mw(carrier: str, hours_in_month, path: Path = MONTHLY_CSV) -> list[float]:
    """Mean MW per calendar month; January and February share their published total in
    proportion to their hours."""
    gwh = periods_gwh(path)[carrier]
    jan_feb_h = hours_in_month[0] + hours_in_month[1]
    mean = [gwh["1-2"] * 1e3 / jan_feb_h] * 2
    return mean + [gwh[str(m)] * 1e3 / hours_in_month[m - 1] for m in range(3, 13)]
