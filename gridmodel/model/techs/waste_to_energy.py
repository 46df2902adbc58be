"""Waste-to-energy (垃圾发电) plants: electric output from a daily waste budget, a must-run
share (the waste is burnt as it arrives), optional heat to a zone (CHP).

Per plant and step: p_min_share × p_max ≤ p ≤ p_max; heat ≤ h_max (0 without a zone);
fuel = p / electric_efficiency + heat / heat_efficiency; per day of the window
Σ fuel × dt_h ≤ waste_mwh_per_day × (hours of that day in the window) / 24.
Cost: cost_cny_per_mwh × p × dt_h (variable O&M net of gate fees, ≥ 0).
"""

from __future__ import annotations

import numpy as np

from ...causes import FORCED, Cause, Role
from ...outputs import Output
from ...system import TableSpec
from ._pyomo import pyo
from ._util import bus_map, check_refs, data_array, result, steps

NAME = "waste_to_energy"
REQUIRES = ("heat_zone",)
SPEC = TableSpec(NAME, {
    "bus": (None, "bus name"),
    "p_max_mw": (None, "MW electric"),
    "must_run_pu": (0.0, "share of p_max_mw that runs in every step (pu)"),
    "waste_mwh_per_day": (None, "MWh of waste heat content per day (fuel budget)"),
    "electric_efficiency_pu": (0.22, "MWh electric per MWh waste (grate incinerators ≈ 0.2–0.25)",
                               (0.01, 0.6)),
    "zone": ("", "heat zone name ('' = no heat output)"),
    "h_max_mw_th": (0.0, "MW_th heat output (CHP)"),
    "heat_efficiency_pu": (0.6, "MWh_th per MWh waste of the heat extraction", (0.01, 1.0)),
    "cost_cny_per_mwh": (0.0, "CNY per MWh electric (variable O&M net of gate fees)"),
})
OUTPUTS = (
    Output("waste_to_energy_p_mw", "electricity", "generation",
           "waste_to_energy_generation_mwh", "Waste-to-energy", "#7f7f7f"),
    Output("waste_to_energy_heat_mw_th", "heat", "generation", "waste_to_energy_heat_mwh",
           "Waste-to-energy heat", "#17becf"),
    Output("waste_to_energy_fuel_mw", "waste", "consumption", "waste_to_energy_fuel_mwh",
           "Waste burnt"),
)
CAUSES = (Cause("min_stable_load", "committed units held at their minimum stable output"),)


def active(system) -> bool:
    return len(system.table(NAME)) > 0


def prepare(tables: dict, where, case) -> dict:
    table = tables[NAME]
    zones = tables["heat_zone"].index if "heat_zone" in tables else []
    check_refs(table[table["zone"] != ""], "zone", zones, "heat zones", NAME, where)
    return tables


def build(b, ctx) -> None:
    table = ctx.system.table(NAME)
    T = b.model().T
    col = table.to_dict()
    b.UNITS = pyo.Set(initialize=list(table.index), ordered=True)
    per_day = max(1, steps(24.0, ctx.dt_h))
    b.DAYS = pyo.RangeSet(0, (ctx.n_steps - 1) // per_day)
    b.p_mw = pyo.Var(b.UNITS, T, bounds=lambda b, u, t: (
        col["must_run_pu"][u] * col["p_max_mw"][u], col["p_max_mw"][u]))
    heat_max = {u: col["h_max_mw_th"][u] if col["zone"][u] else 0.0 for u in b.UNITS}
    b.heat_mw_th = pyo.Var(b.UNITS, T, bounds=lambda b, u, t: (0.0, heat_max[u]))
    b.fuel_mw = pyo.Expression(b.UNITS, T, rule=lambda b, u, t: b.p_mw[u, t]
                               / col["electric_efficiency_pu"][u] + b.heat_mw_th[u, t]
                               / col["heat_efficiency_pu"][u])
    b.budget_mwh = ctx.param(b.UNITS, T)  # a day's budget sits at the day's first step
    b.daily_budget = pyo.Constraint(b.UNITS, b.DAYS, rule=lambda b, u, d: ctx.dt_h * pyo.quicksum(
        b.fuel_mw[u, t] for t in T if t // per_day == d) <= b.budget_mwh[u, d * per_day])
    b.per_day = per_day
    ctx.add_power(bus_map(table), b.p_mw)
    with_heat = [u for u in b.UNITS if col["zone"][u]]
    if with_heat:
        ctx.add_heat({u: col["zone"][u] for u in with_heat}, b.heat_mw_th)
    ctx.add_cost(NAME, lambda t: ctx.dt_h * pyo.quicksum(
        col["cost_cny_per_mwh"][u] * b.p_mw[u, t] for u in b.UNITS))


def update(b, ctx, start: int, state) -> None:
    """Each window day's budget: the daily waste × the share of that day inside the window."""
    table = ctx.system.table(NAME)
    units = list(b.UNITS)
    share = np.zeros(ctx.n_steps)
    for d in range(len(b.DAYS)):
        share[d * b.per_day] = min(b.per_day, ctx.n_steps - d * b.per_day) * ctx.dt_h / 24.0
    budget = table.loc[units, "waste_mwh_per_day"].to_numpy()[:, None] * share[None, :]
    ctx.set_param(b.budget_mwh, budget, units)


def extract(b, ctx) -> dict:
    units = list(b.UNITS)
    out = {"waste_to_energy_p_mw": ctx.values(b.p_mw, units),
           "waste_to_energy_heat_mw_th": ctx.values(b.heat_mw_th, units),
           "waste_to_energy_fuel_mw": ctx.values(b.fuel_mw, units)}
    return {k: data_array(k, v, NAME, units) for k, v in out.items()}


def curtailment_roles(ds, system) -> list:
    """The must-run share (waste burnt as it arrives) is `min_stable_load`."""

    table = system.table(NAME)
    p = result(ds, "waste_to_energy_p_mw", table.index)
    floor = (table["must_run_pu"] * table["p_max_mw"]).to_numpy()[:, None]
    return [Role("min_stable_load", FORCED, np.minimum(p, floor).sum(axis=0))]
