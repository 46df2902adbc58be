"""Which export-contract rows carry terms: shared by the technology (its model rows) and the
KPIs (the per-link contract figures), without Pyomo."""

from __future__ import annotations

import numpy as np
import pandas as pd


def with_terms(table: pd.DataFrame) -> pd.DataFrame:
    if not len(table):
        return table
    terms = ((table["month_min_mwh"] > 0) | (table["year_min_mwh"] > 0)
             | np.isfinite(table["month_max_mwh"]) | np.isfinite(table["year_max_mwh"])
             | np.isfinite(table["ramp_mw_per_h"]) | (table["min_renewable_share_pu"] > 0)
             | (table["delivery_curve_pu"].astype(str).str.strip() != ""))
    return table[terms]
