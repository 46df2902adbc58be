"""Controllable loads (可控负荷): shiftable and interruptible demand at a bus.

Per row and step: the load may rise by up ∈ [0, p_up_max_mw] (shiftable only) and fall by
down ∈ [0, p_down_max_mw]. Time is cut into periods of `period_h` counted from each rolling
window's start (24-h windows start at midnight: calendar days; a look-ahead's shorter last
period gets its share; the window must be a whole number of periods):
- shiftable: Σ (up − down) · dt_h = 0 in each period (energy moved, not lost);
- both: Σ down · dt_h ≤ p_down_max_mw × max_hours_per_period_h × (period's length share);
- cost: cost_cny_per_mwh × down × dt_h (compensation of interrupted energy, or the cost of
  moving it).
"""

from __future__ import annotations

import math

from ...errors import CaseError, NetworkError
from ...outputs import Output
from ...system import TableSpec
from ._pyomo import pyo
from ._util import bus_map, data_array, steps

NAME = "flexible_load"
SPEC = TableSpec(NAME, {
    "bus": (None, "bus name"),
    "kind": ("shiftable", "shiftable | interruptible"),
    "p_up_max_mw": (0.0, "MW the load may rise (shiftable)"),
    "p_down_max_mw": (None, "MW the load may fall"),
    "period_h": (24.0, "h: shiftable energy balances within each period", (1.0, 8784.0)),
    "max_hours_per_period_h": (math.inf, "h at full reduction per period (inf = no limit)"),
    "cost_cny_per_mwh": (0.0, "CNY per MWh reduced (compensation or shifting cost)"),
})
OUTPUTS = (
    Output("flexible_load_up_mw", "electricity", "consumption", "flexible_load_up_mwh",
           "Flexible load raised"),
    Output("flexible_load_down_mw", "electricity", "generation", "flexible_load_down_mwh",
           "Flexible load reduced", "#bcbd22"),
)


def active(system) -> bool:
    return len(system.table(NAME)) > 0


def prepare(tables: dict, where, case) -> dict:
    table = tables[NAME]
    bad = table.index[~table["kind"].isin(["shiftable", "interruptible"])]
    if len(bad):
        raise NetworkError(where, f"{NAME}.{bad[0]}.kind", f"unknown {table.at[bad[0], 'kind']!r}",
                           "shiftable | interruptible")
    _check_periods_fit_windows(table, case)
    return tables


def _check_periods_fit_windows(table, case) -> None:
    """Periods count from each window's start: a window that is not a whole number of
    periods would cut calendar periods (half-day windows and daily balances: a day's shift
    kept only in part, its budget spent twice)."""

    window_h = case.horizon.window_h
    used = table[(table["p_up_max_mw"] > 0) | (table["p_down_max_mw"] > 0)]
    for name, period_h in used["period_h"].items():
        ratio = window_h / period_h
        if window_h and (ratio < 1 or abs(ratio - round(ratio)) > 1e-9):
            raise CaseError(case.where("horizon.window_h"), "horizon.window_h",
                            f"{window_h:g} h is not a whole number of {NAME}.{name}.period_h "
                            f"({period_h:g} h)", f"a multiple of {period_h:g} h (e.g. "
                            f"--set horizon.window_h={period_h:g})")


def _periods(n_steps: int, period_steps: int) -> list[range]:
    return [range(s, min(s + period_steps, n_steps)) for s in range(0, n_steps, period_steps)]


def build(b, ctx) -> None:
    table = ctx.system.table(NAME)
    T, dt = b.model().T, ctx.dt_h
    col = table.to_dict()
    b.LOADS = pyo.Set(initialize=list(table.index), ordered=True)
    up_max = {f: col["p_up_max_mw"][f] if col["kind"][f] == "shiftable" else 0.0
              for f in b.LOADS}
    b.up_mw = pyo.Var(b.LOADS, T, bounds=lambda b, f, t: (0.0, up_max[f]))
    b.down_mw = pyo.Var(b.LOADS, T, bounds=lambda b, f, t: (0.0, col["p_down_max_mw"][f]))
    groups = [(f, k, period) for f in b.LOADS for k, period in enumerate(
        _periods(ctx.n_steps, max(1, steps(col["period_h"][f], dt))))]
    b.PERIODS = pyo.Set(initialize=[(f, k) for f, k, _ in groups], dimen=2, ordered=True)
    members = {(f, k): period for f, k, period in groups}

    def neutral(b, f, k):
        if col["kind"][f] != "shiftable":
            return pyo.Constraint.Skip
        return dt * pyo.quicksum(b.up_mw[f, t] - b.down_mw[f, t] for t in members[f, k]) == 0

    def budget(b, f, k):
        hours = col["max_hours_per_period_h"][f]
        if not math.isfinite(hours):
            return pyo.Constraint.Skip
        share = len(members[f, k]) * dt / col["period_h"][f]
        return dt * pyo.quicksum(b.down_mw[f, t] for t in members[f, k]) <= (
            col["p_down_max_mw"][f] * hours * share)

    b.energy_neutral = pyo.Constraint(b.PERIODS, rule=neutral)
    b.reduction_budget = pyo.Constraint(b.PERIODS, rule=budget)
    ctx.add_power(bus_map(table), b.up_mw, sign=-1.0)
    ctx.add_power(bus_map(table), b.down_mw)
    ctx.add_cost(NAME, lambda t: dt * pyo.quicksum(
        col["cost_cny_per_mwh"][f] * b.down_mw[f, t] for f in b.LOADS))


def extract(b, ctx) -> dict:
    loads = list(b.LOADS)
    return {name: data_array(name, ctx.values(var, loads), NAME, loads)
            for name, var in (("flexible_load_up_mw", b.up_mw),
                              ("flexible_load_down_mw", b.down_mw))}
