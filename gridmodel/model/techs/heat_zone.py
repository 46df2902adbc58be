"""District-heating zones: hourly heat demand (MW_th) and outdoor temperature (degC).
The heat balance per zone and its penalised unserved-heat slack live in the core."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...outputs import Output
from ...system import TableSpec
from ..carrier import Carrier
from ._pyomo import pyo
from ._util import data_array, profile, scaled_profiles

NAME = "heat_zone"
SPEC = TableSpec(NAME, {
    "demand_mw_th": (None, "MW_th (scale of the demand profile)"),
    "demand_profile": ("", "series (pu of demand_mw_th)"),
    "base_demand_mw_th": (0.0, "MW_th every hour of the year on top (industrial process steam)"),
    "temperature_profile": ("", "series of outdoor temperature (degC)"),
}, scaled=("demand_mw_th", "base_demand_mw_th"))
OUTPUTS = (Output("heat_zone_demand_mw_th", "heat", "demand", "heat_demand_mwh",
                  "Heat demand", "#000000"),)


def active(system) -> bool:
    return len(system.table(NAME)) > 0


def zones(system) -> list[str]:
    return list(system.table(NAME).index)


def temperature_c(system, zone: str, start: int, n: int) -> np.ndarray | None:
    name = system.table(NAME).at[zone, "temperature_profile"]
    return profile(system, name, start, n) if name else None


def demand_mw_th(system, start: int, n: int) -> np.ndarray:
    """(zone × step) heat demand: the scaled profile plus the flat base demand."""
    table = system.table(NAME)
    heating = scaled_profiles(system, table, "demand_mw_th", "demand_profile", start, n)
    return heating + table["base_demand_mw_th"].to_numpy(float)[:, None]


def build(b, ctx) -> None:
    table = ctx.system.table(NAME)
    ctx.add_carrier(Carrier("heat", tuple(table.index), NAME, "mw_th",
                            ctx.options.unserved_heat_penalty_cny_per_mwh_th, "unserved_heat"))
    b.ZONES = pyo.Set(initialize=list(table.index), ordered=True)
    b.demand_mw_th = ctx.param(b.ZONES, b.model().T)
    ctx.add_heat({z: z for z in table.index}, b.demand_mw_th, sign=-1.0)


def update(b, ctx, start, state) -> None:
    ctx.set_param(b.demand_mw_th, demand_mw_th(ctx.system, start, ctx.n_steps),
                  list(b.ZONES))


def extract(b, ctx) -> dict:
    zs = list(b.ZONES)
    demand = ctx.values(b.demand_mw_th, zs)
    return {"heat_zone_demand_mw_th": data_array("heat_zone_demand_mw_th", demand, NAME, zs)}


def peak_demand(system) -> dict:
    """The highest hourly heat demand of each zone over the run."""
    demand = demand_mw_th(system, 0, system.n_steps)
    return {"heat": pd.Series(demand.max(axis=1), index=zones(system))}
