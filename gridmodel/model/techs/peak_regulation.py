"""The Northeast peak-regulation ancillary-service market (深度调峰): thermal units may run
below their normal minimum, down to a technical minimum, and the MWh below the normal
minimum are paid in price tiers by load rate; renewables (the beneficiaries) pay.

Table rows are the tiers: `load_from_pu` … `load_to_pu` (load rate, pu of a unit's rating)
and `price_cny_per_mwh` (the tier's price cap, the cost the dispatch sees). For every
committable thermal row: normal minimum = its `p_min_mw` (as the unit and CHP tables set it),
technical minimum = the lowest tier's `load_from_pu` × `p_max_mw` where that is lower.
Then, per unit and step (MW of one row, `on` its units on):

    fuel_mw + Σ_tier deep[tier] ≥ normal_min · on        deep[tier] ≤ width[tier] · p_max · on

with width = the part of the tier below the normal minimum. A tier with a lower load rate
is dearer, so the shallow tier fills first. Limits act on the fuel-equivalent output (for a
CHP unit p + c_v·h, like every thermal limit).
"""

from __future__ import annotations

import numpy as np

from ...errors import NetworkError
from ...outputs import Output
from ...system import TableSpec
from . import thermal
from ._pyomo import pyo
from ._util import data_array

NAME = "peak_regulation"
REQUIRES = ("thermal",)
SPEC = TableSpec(NAME, {
    "load_from_pu": (None, "pu of rating: the tier's lowest load rate"),
    "load_to_pu": (None, "pu of rating: the tier's highest load rate"),
    "price_cny_per_mwh": (None, "CNY per MWh below the normal minimum in this tier (cap)"),
}, ordered=(("load_from_pu", "load_to_pu"),))
OUTPUTS = (
    Output("peak_regulation_mw", "electricity", "detail", "peak_regulation_mwh",
           "Deep peak regulation (below the normal minimum)"),
    Output("peak_regulation_payment_cny", "money", "quantity", "peak_regulation_payment_cny",
           "Peak-regulation payments"),
)


def prepare(tables: dict, where, case) -> dict:
    """Tiers may not overlap; each committable unit keeps its normal minimum in
    `normal_min_mw` and may go down to the technical minimum."""
    tiers = tables[NAME].sort_values("load_from_pu")
    lo, hi = tiers["load_from_pu"].to_numpy(), tiers["load_to_pu"].to_numpy()
    if (lo[1:] < hi[:-1] - 1e-9).any():
        i = int(np.argmax(lo[1:] < hi[:-1] - 1e-9)) + 1
        raise NetworkError(where, f"{NAME}.{tiers.index[i]}.load_from_pu", f"{lo[i]:g} inside "
                           f"tier {tiers.index[i - 1]}", "tiers that do not overlap")
    return {**thermal.with_technical_minimum(tables, float(lo.min())), NAME: tiers}


def build(b, ctx) -> None:
    """Nothing before thermal's limits exist: see finalize."""
    b.TIERS = pyo.Set(initialize=list(ctx.system.table(NAME).index), ordered=True)


def finalize(b, ctx) -> None:
    tiers, deep = ctx.system.table(NAME), thermal.below_normal_minimum(ctx.system)
    units = list(deep.index)
    fuel, on = ctx.use("thermal.fuel_mw"), ctx.use("thermal.on")
    T = b.model().T
    b.UNITS = pyo.Set(initialize=units, ordered=True)
    width = {(g, k): _width(deep.loc[g], tiers.loc[k]) for g in units for k in b.TIERS}
    b.deep_mw = pyo.Var(b.UNITS, b.TIERS, T, domain=pyo.NonNegativeReals)
    normal, p_max = deep["normal_min_mw"].to_dict(), deep["p_max_mw"].to_dict()
    b.normal_min = pyo.Constraint(b.UNITS, T, rule=lambda b, g, t: fuel[g, t] + pyo.quicksum(
        b.deep_mw[g, k, t] for k in b.TIERS) >= normal[g] * on[g, t])
    b.tier_width = pyo.Constraint(b.UNITS, b.TIERS, T, rule=lambda b, g, k, t: b.deep_mw[
        g, k, t] <= width[g, k] * p_max[g] * on[g, t])
    price = tiers["price_cny_per_mwh"].to_dict()
    ctx.add_cost(NAME, lambda t: ctx.dt_h * pyo.quicksum(
        price[k] * b.deep_mw[g, k, t] for g in units for k in b.TIERS))


def _width(unit, tier) -> float:
    """pu of rating of the tier that lies below the unit's normal minimum and above its
    technical minimum."""
    normal = unit.normal_min_mw / unit.p_max_mw if unit.p_max_mw > 0 else 0.0
    return max(0.0, min(tier.load_to_pu, normal) - tier.load_from_pu)


def extract(b, ctx) -> dict:
    tiers = list(b.TIERS)
    units = list(b.UNITS)
    price = ctx.system.table(NAME).loc[tiers, "price_cny_per_mwh"].to_numpy()
    deep = np.zeros((len(tiers), ctx.n_steps))
    if units:
        keys = [(g, k) for g in units for k in tiers]
        values = ctx.values(b.deep_mw, keys).reshape(len(units), len(tiers), ctx.n_steps)
        deep = values.sum(axis=0)
    pay = deep * price[:, None] * ctx.dt_h
    return {"peak_regulation_mw": data_array("peak_regulation_mw", deep, NAME, tiers),
            "peak_regulation_payment_cny": data_array("peak_regulation_payment_cny", pay,
                                                      NAME, tiers)}
