"""Electric loads: fixed demand per bus from p_mw × profile (unserved energy is in the core)."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ...system import TableSpec
from ._util import bus_map, data_array, scaled_profiles, set_param_2d

NAME = "load"
SPEC = TableSpec("load", {
    "bus": (None, "bus name"),
    "p_mw": (None, "MW (peak or scale of the profile)"),
    "profile": ("", "profile series (pu of p_mw)"),
})


def active(system) -> bool:
    return len(system.table(NAME)) > 0


def build(b, ctx) -> None:
    table = ctx.system.table(NAME)
    b.UNITS = pyo.Set(initialize=list(table.index), ordered=True)
    b.demand_mw = pyo.Param(b.UNITS, b.model().T, mutable=True, initialize=0.0)
    ctx.add_power(bus_map(table), b.demand_mw, sign=-1.0)


def update(b, ctx, start: int, state) -> None:
    demand = scaled_profiles(ctx.system, ctx.system.table(NAME), "p_mw", "profile", start,
                             ctx.n_steps)
    set_param_2d(b.demand_mw, list(b.UNITS), demand)


def extract(b, ctx) -> dict:
    units, n = list(b.UNITS), ctx.n_steps
    demand = np.array([[b.demand_mw[u, t].value for t in range(n)] for u in units])
    return {"load_demand_mw": data_array("load_demand_mw", demand, NAME, units)}
