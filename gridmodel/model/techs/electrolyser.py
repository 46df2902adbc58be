"""Electrolysers: MW of electricity at a bus → MW_H2 (LHV) at a hydrogen hub, with an
efficiency and a minimum load per stack.

  h2[u, t] = efficiency_pu · p[u, t]
  min_load_pu · p_stack · on[u, t] ≤ p[u, t] ≤ p_stack · on[u, t],  p_stack = p_max_mw / n_units

`on` (stacks running, 0 … n_units) is integer in the steps where the case's commitment is
integer (binary, clustered, rounded) and continuous elsewhere; without a minimum load there
is no `on` and the electrolyser is a plain 0 … p_max sink. No start-up cost: stacks kept warm
(hot standby) restart within minutes (an assumption of the hourly model)."""

from __future__ import annotations

import numpy as np

from ...causes import CONVERSION_LIMIT, at_limit
from ...outputs import Output
from ...system import TableSpec
from . import hydrogen_hub
from ._pyomo import pyo
from ._util import bus_map, check_refs, data_array, result

NAME = "electrolyser"
REQUIRES = ("hydrogen_hub",)
SPEC = TableSpec(NAME, {
    "bus": (None, "bus name"),
    "hub": (None, "hydrogen hub name", str),
    "p_max_mw": (None, "MW electric (all stacks)"),
    "efficiency_pu": (0.62, "MW_H2 (LHV) per MW electric", (0.05, 1.0)),
    "min_load_pu": (0.0, "pu of a stack's rating while it runs", (0.0, 1.0)),
    "n_units": (1, "stacks (count)"),
}, scaled=("p_max_mw",))
OUTPUTS = (
    Output("electrolyser_consumption_mw", "electricity", "consumption",
           "electrolyser_consumption_mwh", "Electrolysers", "#17becf"),
    Output("electrolyser_hydrogen_mw_h2", "hydrogen", "generation", "electrolyser_hydrogen_mwh",
           "Electrolysers", "#17becf"),
)
CAUSES = (CONVERSION_LIMIT,)
INTEGER_MODES = ("binary", "clustered", "rounded")


def prepare(tables, where, case):
    check_refs(tables[NAME], "hub", hydrogen_hub.hubs(tables), "hydrogen hubs", NAME, where)
    return tables


def _stack_mw(table) -> dict:
    return (table["p_max_mw"] / table["n_units"].astype(float)).to_dict()


def build(b, ctx) -> None:
    table = ctx.system.table(NAME)
    T, units = b.model().T, list(table.index)
    pmax = table["p_max_mw"].to_dict()
    b.UNITS = pyo.Set(initialize=units, ordered=True)
    b.p_mw = pyo.Var(b.UNITS, T, bounds=lambda b, u, t: (0, pmax[u]))
    ctx.add_power(bus_map(table), b.p_mw, sign=-1.0)
    ctx.add_flow("hydrogen", table["hub"].to_dict(), b.p_mw,
                 coef=table["efficiency_pu"].to_dict())
    _build_stacks(b, ctx, table, T)


def _build_stacks(b, ctx, table, T) -> None:
    """Stacks running (`on`) where a minimum load needs them."""
    stacked = [u for u in table.index if table.at[u, "min_load_pu"] > 0]
    b.STACKED = pyo.Set(initialize=stacked, ordered=True)
    count = table["n_units"].astype(int).to_dict()
    integer = ctx.options.commitment in INTEGER_MODES

    def domain(b, u, t):
        return pyo.Integers if integer and (ctx.integer_steps is None
                                            or t < ctx.integer_steps) else pyo.Reals

    b.on = pyo.Var(b.STACKED, T, domain=domain, bounds=lambda b, u, t: (0, count[u]))
    stack, low = _stack_mw(table), table["min_load_pu"].to_dict()
    b.stack_max = pyo.Constraint(b.STACKED, T, rule=lambda b, u, t: b.p_mw[u, t]
                                 <= stack[u] * b.on[u, t])
    b.stack_min = pyo.Constraint(b.STACKED, T, rule=lambda b, u, t: b.p_mw[u, t]
                                 >= low[u] * stack[u] * b.on[u, t])


def _stacks_for(b, ctx, stacked, steps: slice) -> np.ndarray:
    """Stacks that carry the LP's power: ceil(p / stack rating), so a rounded schedule keeps
    the relaxation's hydrogen; one fewer where those stacks' minimum load would exceed p (a
    single stack asked for less than its minimum: hydrogen has no excess slack)."""
    table, stack = ctx.system.table(NAME), _stack_mw(ctx.system.table(NAME))
    p = ctx.values(b.p_mw, stacked)[:, steps]
    rating = np.array([stack[u] for u in stacked], dtype=float)[:, None]
    low = table["min_load_pu"].loc[stacked].to_numpy(float)[:, None]
    on = np.ceil(p / rating - 1e-6)
    return np.where(p < low * rating * on - 1e-6, on - 1.0, on)


def warm_start(b, ctx, shift: int) -> list:
    """Stacks for the window `shift` steps later: those carrying this window's look-ahead."""
    stacked = list(b.STACKED)
    n = min(ctx.n_steps - shift, ctx.integer_steps or ctx.n_steps)
    if not stacked or n <= 0 or ctx.options.commitment not in INTEGER_MODES:
        return []
    return [(b.on, stacked, _stacks_for(b, ctx, stacked, slice(shift, shift + n)))]


def round_commitment(b, ctx, threshold_pu: float) -> list:
    """Rounded relaxation: the stacks that carry the relaxation's power, ceil(p / rating)
    (the threshold rule of thermal units would drop stacks the hub then misses as unserved
    hydrogen; one stack more costs nothing but its minimum load)."""
    stacked = list(b.STACKED)
    if not stacked:
        return []
    n_int = min(ctx.integer_steps or ctx.n_steps, ctx.n_steps)
    return [(b.on, stacked, _stacks_for(b, ctx, stacked, slice(0, n_int)))]


def extract(b, ctx) -> dict:
    table, units = ctx.system.table(NAME), list(b.UNITS)
    p = ctx.values(b.p_mw, units)
    h2 = p * table["efficiency_pu"].loc[units].to_numpy(float)[:, None]
    bus = table["bus"].loc[units].tolist()
    return {"electrolyser_consumption_mw": data_array(
                "electrolyser_consumption_mw", p, NAME, units, electrolyser_bus=bus),
            "electrolyser_hydrogen_mw_h2": data_array(
                "electrolyser_hydrogen_mw_h2", h2, NAME, units)}


def curtailment_roles(ds, system) -> list:
    """Electrolysers drawing their maximum power stand in the way (`conversion_limit`)."""
    table = system.table(NAME)
    drawn = result(ds, "electrolyser_consumption_mw", table.index)
    return [at_limit(CONVERSION_LIMIT.name, drawn, table["p_max_mw"])]


def firm_capacity(system) -> dict:
    table = system.table(NAME)
    return {"hydrogen": (table["p_max_mw"] * table["efficiency_pu"]).groupby(table["hub"]).sum()}
