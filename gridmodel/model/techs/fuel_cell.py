"""Hydrogen to power (fuel cells, hydrogen-fired turbines): MW_H2 from a hub → MW at a bus,
p = efficiency_pu · h2, up to p_max_mw."""

from __future__ import annotations

from ...outputs import Output
from ...system import TableSpec
from . import hydrogen_hub
from ._pyomo import pyo
from ._util import bus_map, check_refs, data_array

NAME = "fuel_cell"
REQUIRES = ("hydrogen_hub",)
SPEC = TableSpec(NAME, {
    "bus": (None, "bus name"),
    "hub": (None, "hydrogen hub name", str),
    "p_max_mw": (None, "MW electric"),
    "efficiency_pu": (0.5, "MW electric per MW_H2 (LHV)", (0.05, 1.0)),
}, scaled=("p_max_mw",))
OUTPUTS = (
    Output("fuel_cell_generation_mw", "electricity", "generation", "fuel_cell_generation_mwh",
           "Fuel cells", "#e377c2"),
    Output("fuel_cell_hydrogen_mw_h2", "hydrogen", "consumption", "fuel_cell_hydrogen_mwh",
           "Fuel cells", "#e377c2"),
)


def prepare(tables, where, case):
    check_refs(tables[NAME], "hub", hydrogen_hub.hubs(tables), "hydrogen hubs", NAME, where)
    return tables


def build(b, ctx) -> None:
    table = ctx.system.table(NAME)
    pmax = table["p_max_mw"].to_dict()
    b.UNITS = pyo.Set(initialize=list(table.index), ordered=True)
    b.p_mw = pyo.Var(b.UNITS, b.model().T, bounds=lambda b, u, t: (0, pmax[u]))
    ctx.add_power(bus_map(table), b.p_mw)
    ctx.add_flow("hydrogen", table["hub"].to_dict(), b.p_mw, sign=-1.0,
                 coef=(1.0 / table["efficiency_pu"]).to_dict())


def extract(b, ctx) -> dict:
    table, units = ctx.system.table(NAME), list(b.UNITS)
    p = ctx.values(b.p_mw, units)
    h2 = p / table["efficiency_pu"].loc[units].to_numpy(float)[:, None]
    bus = table["bus"].loc[units].tolist()
    return {"fuel_cell_generation_mw": data_array("fuel_cell_generation_mw", p, NAME, units,
                                                  fuel_cell_bus=bus),
            "fuel_cell_hydrogen_mw_h2": data_array("fuel_cell_hydrogen_mw_h2", h2, NAME, units)}
