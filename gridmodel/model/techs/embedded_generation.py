"""Embedded generation: small plants outside central dispatch (below the statistics' size
threshold: small hydro, biomass and waste-to-energy, industrial captive plants). They run on
their own schedule whatever the dispatch; the grid balances around them.

Per plant and step: p = p_mw × profile(t), a window parameter (not a decision). No cost: the
grid does not buy their fuel; their energy is counted in the balance and the results.
"""

from __future__ import annotations

from ...causes import FORCED, Cause, Role
from ...outputs import Output
from ...system import TableSpec
from ._util import data_array, fixed_injection, result, update_fixed_injection

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
CAUSES = (Cause("embedded_generation", "small plants outside central dispatch"),)


def active(system) -> bool:
    return len(system.table(NAME)) > 0


def build(b, ctx) -> None:
    b.p_mw = fixed_injection(b, ctx, NAME)


def update(b, ctx, start: int, state) -> None:
    update_fixed_injection(b, b.p_mw, ctx, NAME, start)


def extract(b, ctx) -> dict:
    units = list(b.UNITS)
    return {"embedded_generation_p_mw": data_array(
        "embedded_generation_p_mw", ctx.values(b.p_mw, units), NAME, units)}


def curtailment_roles(ds, system) -> list:
    """Their whole output is forced: the dispatcher cannot lower it for wind."""

    p = result(ds, "embedded_generation_p_mw", system.table(NAME).index)
    return [Role("embedded_generation", FORCED, p.sum(axis=0))]
