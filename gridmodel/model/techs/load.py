"""Electric loads: fixed demand per bus from p_mw × profile (unserved energy is in the core)."""

from __future__ import annotations

import pyomo.environ as pyo

from ...outputs import Output
from ...system import TableSpec
from ._util import bus_map, data_array, scaled_profiles

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
    table = ctx.system.table(NAME)
    b.UNITS = pyo.Set(initialize=list(table.index), ordered=True)
    b.demand_mw = ctx.param(b.UNITS, b.model().T)
    ctx.add_power(bus_map(table), b.demand_mw, sign=-1.0)


def update(b, ctx, start: int, state) -> None:
    demand = scaled_profiles(ctx.system, ctx.system.table(NAME), "p_mw", "profile", start,
                             ctx.n_steps)
    ctx.set_param(b.demand_mw, demand, list(b.UNITS))


def extract(b, ctx) -> dict:
    units = list(b.UNITS)
    demand = ctx.values(b.demand_mw, units)
    bus = ctx.system.table(NAME)["bus"].loc[units].tolist()
    return {"load_demand_mw": data_array("load_demand_mw", demand, NAME, units, load_bus=bus)}
