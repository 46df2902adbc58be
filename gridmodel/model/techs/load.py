"""Electric loads: fixed demand per bus from p_mw × profile (unserved energy is in the core)."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ...system import TableSpec
from ._util import bus_map, data_array, profile

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


def demand_mw(system, start: int, n: int) -> np.ndarray:
    table = system.table(NAME)
    return np.array([row.p_mw * profile(system, row.profile, start, n)
                     for _, row in table.iterrows()]).reshape(len(table), n)


def update(b, ctx, start: int, state) -> None:
    demand = demand_mw(ctx.system, start, ctx.n_steps)
    for i, name in enumerate(b.UNITS):
        for t in range(ctx.n_steps):
            b.demand_mw[name, t] = float(demand[i, t])


def extract(b, ctx) -> dict:
    units, n = list(b.UNITS), ctx.n_steps
    demand = np.array([[b.demand_mw[u, t].value for t in range(n)] for u in units])
    return {"load_demand_mw": data_array("load_demand_mw", demand, NAME, units)}
