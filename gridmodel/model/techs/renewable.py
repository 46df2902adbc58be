"""Wind and solar (pandapower sgen): hourly availability, curtailment as a decision."""

from __future__ import annotations

import numpy as np

from ...outputs import Output
from ...system import TableSpec
from ._pyomo import pyo
from ._util import bus_map, data_array, scaled_profiles

NAME = "renewable"
SPEC = TableSpec("renewable", {
    "bus": (None, "bus name"),
    "kind": (None, "wind | solar | hydro (run-of-river)", ("wind", "solar", "hydro")),
    "p_max_mw": (None, "MW installed"),
    "profile": ("", "profile series of availability (pu of p_max_mw)"),
    "min_profile": ("", "series of must-take output (pu of p_max_mw); empty = none"),
    "availability_exponent_pu": (1.0, ("k: availability 1 − (1 − profile)^k, the profile "
                                       "reshaped to another year's resource (full-load hours) "
                                       "without passing 1; 1 = as it is"), (0.2, 5.0)),
}, scaled=("p_max_mw",))
# wind/solar totals, curtailment and the local/export split are KPIs of their own (kpi.py)
OUTPUTS = (
    Output("renewable_available_mw", "electricity", "detail", "", "Wind+solar available"),
    Output("renewable_used_mw", "electricity", "generation", "", "Wind+solar used", "#2ca02c"),
    Output("renewable_curtailed_mw", "electricity", "detail", "", "Curtailed", "#d62728"),
)


def active(system) -> bool:
    return len(system.table(NAME)) > 0


def build(b, ctx) -> None:
    table = ctx.system.table(NAME)
    T = b.model().T
    b.UNITS = pyo.Set(initialize=list(table.index), ordered=True)
    b.available_mw = ctx.param(b.UNITS, T)
    b.used_mw = pyo.Var(b.UNITS, T, domain=pyo.NonNegativeReals)
    b.availability = pyo.Constraint(b.UNITS, T, rule=lambda b, r, t: b.used_mw[r, t]
                                    <= b.available_mw[r, t])
    b.MUST_TAKE = pyo.Set(initialize=[r for r in b.UNITS if table.at[r, "min_profile"]])
    b.must_take_mw = ctx.param(b.MUST_TAKE, T)
    b.must_take = pyo.Constraint(b.MUST_TAKE, T, rule=lambda b, r, t: b.used_mw[r, t]
                                 >= b.must_take_mw[r, t])
    ctx.add_power(bus_map(table), b.used_mw)
    ctx.provide("renewable.used_mw", b.used_mw)  # for bundled export (export contracts)
    penalty = ctx.options.curtailment_cost_cny_per_mwh
    if penalty:  # a priority for renewables, not money: reported with the penalties
        ctx.add_cost("curtailment", lambda t: ctx.dt_h * penalty * pyo.quicksum(
            b.available_mw[r, t] - b.used_mw[r, t] for r in b.UNITS), penalty=True)


def available_mw(system, table, start: int, n: int) -> np.ndarray:
    """(asset × step) MW available: p_max × the profile reshaped by its exponent."""
    pu = scaled_profiles(system, table.assign(one=1.0), "one", "profile", start, n)
    k = table["availability_exponent_pu"].to_numpy(float)[:, None]
    shaped = np.where(k == 1.0, pu, 1.0 - (1.0 - pu) ** k)  # k = 1: the profile, bit for bit
    return table["p_max_mw"].to_numpy(float)[:, None] * shaped


def update(b, ctx, start: int, state) -> None:
    table = ctx.system.table(NAME)
    avail = available_mw(ctx.system, table, start, ctx.n_steps)
    ctx.set_param(b.available_mw, avail, list(b.UNITS))
    must = list(b.MUST_TAKE)
    if must:
        low = scaled_profiles(ctx.system, table.loc[must], "p_max_mw", "min_profile", start,
                              ctx.n_steps)
        ctx.set_param(b.must_take_mw, low, must)


def extract(b, ctx) -> dict:
    units = list(b.UNITS)
    avail = ctx.values(b.available_mw, units)
    used = np.minimum(ctx.values(b.used_mw, units), avail)
    kind, bus = ctx.system.table(NAME)["kind"], ctx.system.table(NAME)["bus"]
    coords = {"renewable_kind": kind.loc[units].tolist(),
              "renewable_bus": bus.loc[units].tolist()}
    out = {"renewable_available_mw": avail, "renewable_used_mw": used,
           "renewable_curtailed_mw": avail - used}
    return {k: data_array(k, v, NAME, units, **coords) for k, v in out.items()}


def absorption(b, ctx) -> list:
    """Wind and solar: used and available MW of every unit (absorption targets)."""
    return [(b.used_mw, b.available_mw, list(b.UNITS))]


def reserve_requirement_mw(system, reserve, start: int, n: int):
    """`reserve.spinning_pct_of_wind` % of the available wind (its forecast error)."""
    table = system.table(NAME)
    wind = table[table["kind"] == "wind"]
    if not reserve.spinning_pct_of_wind or not len(wind):
        return None
    return reserve.spinning_pct_of_wind / 100.0 * available_mw(system, wind, start, n).sum(axis=0)
