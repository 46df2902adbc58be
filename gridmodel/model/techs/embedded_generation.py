"""Embedded generation: small plants outside central dispatch (below the statistics' size
threshold: small hydro, biomass and waste-to-energy, industrial captive plants). They run on
their own schedule whatever the dispatch; the grid balances around them.

Per plant and step: p = p_mw × profile(t), a window parameter (not a decision). No cost: the
grid does not buy their fuel; their energy is counted in the balance and the results.
"""

from __future__ import annotations

import pyomo.environ as pyo

from ...outputs import Output
from ...system import TableSpec
from ._util import bus_map, data_array, result, scaled_profiles

NAME = "embedded_generation"
SPEC = TableSpec(NAME, {
    "bus": (None, "bus name"),
    "p_mw": (None, "MW injected in every step (times the profile)"),
    "profile": ("", "profile series (pu of p_mw); '' = flat"),
}, scaled=("p_mw",))
OUTPUTS = (
    Output("embedded_generation_p_mw", "electricity", "generation",
           "embedded_generation_mwh", "Small plants (outside dispatch)", "#8c564b"),
)


def active(system) -> bool:
    return len(system.table(NAME)) > 0


def build(b, ctx) -> None:
    table = ctx.system.table(NAME)
    b.UNITS = pyo.Set(initialize=list(table.index), ordered=True)
    b.p_mw = ctx.param(b.UNITS, b.model().T)
    ctx.add_power(bus_map(table), b.p_mw)


def update(b, ctx, start: int, state) -> None:
    table = ctx.system.table(NAME)
    ctx.set_param(b.p_mw, scaled_profiles(ctx.system, table, "p_mw", "profile", start,
                                          ctx.n_steps), list(b.UNITS))


def extract(b, ctx) -> dict:
    units = list(b.UNITS)
    return {"embedded_generation_p_mw": data_array(
        "embedded_generation_p_mw", ctx.values(b.p_mw, units), NAME, units)}


def curtailment_roles(ds, system) -> list:
    """Their whole output is forced: the dispatcher cannot lower it for wind."""
    from ...attribution import FORCED, Role

    p = result(ds, "embedded_generation_p_mw", system.table(NAME).index)
    return [Role("embedded_generation", FORCED, p.sum(axis=0))]
