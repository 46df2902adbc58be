"""Hydrogen hubs: the nodes of the hydrogen carrier (an industrial site, an ammonia plant)
with their hydrogen demand (MW_H2, lower heating value; flat or profiled). The core builds
one balance per hub; hydrogen a hub cannot get is unserved at the hub's
`unserved_cost_cny_per_mwh_h2` (a penalty, as unserved heat)."""

from __future__ import annotations

import pandas as pd

from ...outputs import Output
from ...system import TableSpec
from ..carrier import Carrier
from ._pyomo import pyo
from ._util import data_array, scaled_profiles

NAME = "hydrogen_hub"
CARRIER = "hydrogen"
SPEC = TableSpec(NAME, {
    "demand_mw_h2": (0.0, "MW_H2 (LHV; scale of the demand profile, flat without one)"),
    "demand_profile": ("", "series (pu of demand_mw_h2); empty = flat"),
    "unserved_cost_cny_per_mwh_h2": (20000.0, ("CNY/MWh_H2 of demand the hub cannot get "
                                               "(a penalty: the demand must be met)")),
}, scaled=("demand_mw_h2",))
OUTPUTS = (Output("hydrogen_hub_demand_mw_h2", CARRIER, "demand", "hydrogen_demand_mwh",
                  "Hydrogen demand", "#000000"),)


def hubs(tables_or_system) -> list[str]:
    table = tables_or_system.get(NAME) if isinstance(tables_or_system, dict) else \
        tables_or_system.table(NAME)
    return [] if table is None else list(table.index)


def demand_mw_h2(system, start: int, n: int):
    """(hub × step) hydrogen demand."""
    return scaled_profiles(system, system.table(NAME), "demand_mw_h2", "demand_profile", start, n)


def build(b, ctx) -> None:
    table = ctx.system.table(NAME)
    names = list(table.index)
    ctx.add_carrier(Carrier(CARRIER, tuple(names), NAME, "mw_h2",
                            table["unserved_cost_cny_per_mwh_h2"].to_dict(),
                            "unserved_hydrogen", "Hydrogen"))
    b.HUBS = pyo.Set(initialize=names, ordered=True)
    b.demand_mw_h2 = ctx.param(b.HUBS, b.model().T)
    ctx.add_flow(CARRIER, {h: h for h in names}, b.demand_mw_h2, sign=-1.0)


def update(b, ctx, start, state) -> None:
    ctx.set_param(b.demand_mw_h2, demand_mw_h2(ctx.system, start, ctx.n_steps), list(b.HUBS))


def extract(b, ctx) -> dict:
    names = list(b.HUBS)
    return {"hydrogen_hub_demand_mw_h2": data_array(
        "hydrogen_hub_demand_mw_h2", ctx.values(b.demand_mw_h2, names), NAME, names)}


def peak_demand(system) -> dict:
    return {CARRIER: pd.Series(demand_mw_h2(system, 0, system.n_steps).max(axis=1),
                               index=hubs(system))}
