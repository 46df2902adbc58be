"""Electric loads: fixed demand per bus from p_mw × profile (unserved energy is in the core)."""

from __future__ import annotations

from ...outputs import Output
from ...system import TableSpec
from ._util import data_array, fixed_injection, scaled_profiles, update_fixed_injection

NAME = "load"
SPEC = TableSpec("load", {
    "bus": (None, "bus name"),
    "p_mw": (None, "MW (peak or scale of the profile)"),
    "profile": ("", "profile series (pu of p_mw)"),
}, scaled=("p_mw",))
OUTPUTS = (Output("load_demand_mw", "electricity", "demand", "load_mwh", "Load", "#000000"),)


def active(system) -> bool:
    return len(system.table(NAME)) > 0


def build(b, ctx) -> None:
    b.demand_mw = fixed_injection(b, ctx, NAME, sign=-1.0)


def update(b, ctx, start: int, state) -> None:
    update_fixed_injection(b, b.demand_mw, ctx, NAME, start)


def extract(b, ctx) -> dict:
    units = list(b.UNITS)
    demand = ctx.values(b.demand_mw, units)
    bus = ctx.system.table(NAME)["bus"].loc[units].tolist()
    return {"load_demand_mw": data_array("load_demand_mw", demand, NAME, units, load_bus=bus)}


def reserve_requirement_mw(system, reserve, start: int, n: int):
    """`reserve.spinning_pct_of_load` % of the hour's demand."""
    if not reserve.spinning_pct_of_load:
        return None
    demand = scaled_profiles(system, system.table(NAME), "p_mw", "profile", start, n)
    return reserve.spinning_pct_of_load / 100.0 * demand.sum(axis=0)
