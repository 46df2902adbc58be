"""Thermal (and any dispatchable pandapower gen): tight 3-binary unit commitment.

Formulation: on/startup/shutdown logic; Rajan–Takriti min up/down with initial-state
must-on/must-off Params; start-up/shut-down aware limits (Gentile et al. 2017); ramps with
start-up/shut-down limits; convex piecewise-linear cost as an epigraph (quadratic costs become
`quadratic_cost_segments` secants between p_min and p_max); no-load cost × on; off-time
dependent start-up cost categories (Carrión–Arroyo lags). Commitment `off`: every unit online
within [p_min, p_max]; `relaxed`: on/startup/shutdown continuous in [0, 1].
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from ...case import override_key
from ...causes import FORCED, Cause, Role
from ...errors import NetworkError
from ...outputs import Output
from ...system import TableSpec
from ._pyomo import pyo
from ._util import bus_map, data_array, result, round_counts, steps

NAME = "thermal"
INF = math.inf
SPEC = TableSpec("thermal", {
    "bus": (None, "bus name"),
    "kind": ("coal", "label: coal, gas, hydro, chp ...", str),
    "p_min_mw": (0.0, "MW"),
    "p_max_mw": (None, "MW"),
    "cost_c0_cny_per_h": (0.0, "CNY/h when on (no-load)"),
    "cost_c1_cny_per_mwh": (0.0, "CNY/MWh"),
    "cost_c2_cny_per_mw2h": (0.0, "CNY/(MW^2 h)"),
    "pwl_points": ("", "list of [p_from_mw, p_to_mw, slope_cny_per_mwh]"),
    "min_up_h": (0.0, "h"),
    "min_down_h": (0.0, "h"),
    "ramp_up_mw_per_h": (INF, "MW/h"),
    "ramp_down_mw_per_h": (INF, "MW/h"),
    "startup_limit_mw": (INF, "MW (highest output in the start-up hour)"),
    "shutdown_limit_mw": (INF, "MW (highest output before shut-down)"),
    "startup_cost_cny": (0.0, "CNY per start (hot)"),
    "startup_categories": ("", "list of [off_h_min, cost_cny], ascending"),
    "initial_on": (1.0, "1 = all units of the row on, 0 = off"),
    "initial_time_in_state_h": (1.0e4, "h"),
    "initial_p_mw": (math.nan, "MW (NaN = unknown, no ramp limit in the first hour)"),
    "co2_t_per_mwh": (0.0, "t CO2/MWh"),
    "coal_t_per_mwh": (0.0, "t standard coal/MWh"),
    "committable": (True, "true/false"),
    "n_units": (1, ("identical units in this row (count); one integer commitment in "
                    "'clustered' mode, one binary per unit otherwise")),
    "must_run": (False, "true/false (committed in every step)"),
}, ordered=(("p_min_mw", "p_max_mw"),), scaled=("p_max_mw", "p_min_mw"))
OUTPUTS = (
    Output("thermal_p_mw", "electricity", "generation", "thermal_generation_mwh", "Thermal",
           "#6b6b6b"),
    Output("thermal_on_count", "electricity", "quantity", "", "Units on"),
    Output("thermal_startup_count", "electricity", "quantity", "thermal_starts_count",
           "Start-ups"),
    Output("thermal_cost_cny", "money", "quantity", "", "Thermal cost"),
    Output("thermal_co2_t", "co2", "quantity", "co2_t", "CO2"),
    Output("thermal_coal_t", "coal", "quantity", "coal_t", "Standard coal"),
    Output("thermal_reserve_mw", "electricity", "detail", "", "Spinning reserve"),
)
CAUSES = (
    Cause("min_stable_load", "committed units held at their minimum stable output"),
    Cause("ramping", "units that could not come down faster than their ramp limit"),
)


def active(system) -> bool:
    return len(system.table(NAME)) > 0


def prepare(tables: dict, where, case) -> dict:
    """Initial states and point lists checked against the limits; outside 'clustered' mode
    a row of n identical units becomes n rows 'name#i'."""
    table = tables[NAME]
    _check_initial(table, where, case)
    for column, width in (("startup_categories", 2), ("pwl_points", 3)):
        _check_points(table, column, width, where, case)
    if case.model.commitment != "binary" or (table["n_units"] <= 1).all():
        return tables
    rows = []
    for g, row in table.iterrows():
        n = int(row.n_units)
        for name in [g] if n <= 1 else [_unit_row(g, i) for i in range(1, n + 1)]:
            rows.append(row.copy().rename(name))
            rows[-1]["n_units"] = 1
            rows[-1]["initial_p_mw"] = row.initial_p_mw / n
    return {**tables, NAME: pd.DataFrame(rows)}


def _unit_row(unit: str, i: int) -> str:
    return f"{unit}#{i}"


def rows_of(table: pd.DataFrame, unit: str) -> list[str]:
    """The rows a unit name stands for after `prepare` (itself, or 'unit#i' when binary
    commitment split it into single units): how another technology follows the split."""
    if unit in table.index:
        return [unit]
    return [g for g in table.index if g.startswith(_unit_row(unit, ""))]


def _refuse(where, case, asset, column, problem, expected):
    found = override_key(case, NAME, column) if case is not None else None
    origin, key = found if found else (where, f"{NAME}.{asset}.{column}")
    raise NetworkError(origin, key, problem, expected)


def _check_initial(table, where, case) -> None:
    """An initial output above the row's capacity, or output from a row that starts off."""
    p0, n = table["initial_p_mw"], table["n_units"]
    over = table.index[p0 > table["p_max_mw"] * n + 1e-9]
    if len(over):
        g = over[0]
        _refuse(where, case, g, "initial_p_mw", f"{p0[g]:g} MW above the row's "
                f"{table.at[g, 'p_max_mw'] * n[g]:g} MW", "MW within p_max_mw × n_units")
    off = table.index[(table["initial_on"] == 0) & (p0 > 1e-9)]
    if len(off):
        g = off[0]
        _refuse(where, case, g, "initial_p_mw", f"{p0[g]:g} MW while initial_on = 0",
                "0 (or NaN) for a unit that starts off, or initial_on = 1")


def _check_points(table, column: str, width: int, where, case) -> None:
    """A point-list column is empty or a list of numeric [..] rows of `width` numbers."""
    for g, value in table[column].items():
        ok = value == "" or (isinstance(value, (list, tuple)) and all(
            isinstance(p, (list, tuple)) and len(p) == width and all(
                isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
                for x in p) for p in value))
        if not ok:
            _refuse(where, case, g, column, f"{value!r}"[:60],
                    f"a list of [{', '.join(['number'] * width)}] rows, or empty")


# ---- data preparation -------------------------------------------------------------------

def cost_lines(row, segments: int) -> list[tuple[float, float]]:
    """Epigraph lines (slope CNY/MWh, intercept CNY/h) of the unit's convex cost curve."""
    if isinstance(row.pwl_points, (list, tuple)) and len(row.pwl_points):
        return _pwl_lines(row)
    c0, c1, c2 = row.cost_c0_cny_per_h, row.cost_c1_cny_per_mwh, row.cost_c2_cny_per_mw2h
    if c2 < 0:
        raise NetworkError("network", f"thermal.{row.name}.cost_c2_cny_per_mw2h",
                           "negative quadratic cost is not convex", ">= 0")
    lo, hi = row.p_min_mw, row.p_max_mw
    if c2 == 0:
        return [(c1, c0)]
    if hi <= lo:
        return [(c1 + 2 * c2 * hi, c0 - c2 * hi * hi)]
    xs = np.linspace(lo, hi, segments + 1)
    return [(c1 + c2 * (a + b), c0 - c2 * a * b) for a, b in pairwise(xs)]


def _pwl_lines(row):
    lines, cost = [], row.cost_c0_cny_per_h
    slopes = [seg[2] for seg in row.pwl_points]
    if any(b < a - 1e-12 for a, b in pairwise(slopes)):
        raise NetworkError("network", f"pwl_cost[{row.name}]", "slopes decrease (not convex)",
                           "non-decreasing CNY/MWh slopes")
    for p_from, p_to, slope in row.pwl_points:
        lines.append((slope, cost - slope * p_from))
        cost += slope * (p_to - p_from)
    return lines


def startup_categories(row, dt_h) -> list[tuple[int, float]]:
    """(off-time lag in steps, cost CNY) per start-up category, hottest first; the hottest
    covers every off time below the next category's lag."""
    cats = row.startup_categories
    if not isinstance(cats, (list, tuple)) or not len(cats):
        cats = [(0.0, row.startup_cost_cny)]
    out = [(steps(h, dt_h), float(c)) for h, c in sorted(cats)]
    return [(0, out[0][1])] + out[1:]


# ---- build ------------------------------------------------------------------------------

def build(b, ctx) -> None:
    table = ctx.system.table(NAME)
    mode, dt = ctx.options.commitment, ctx.dt_h
    units = list(table.index)
    b.UNITS = pyo.Set(initialize=units, ordered=True)
    committed = [g for g in units if mode != "off" and table.at[g, "committable"]]
    b.COMMITTED = pyo.Set(initialize=committed, ordered=True)
    p_min = table["p_min_mw"].to_dict()
    p_max = table["p_max_mw"].to_dict()
    b.p_min_mw = pyo.Param(b.UNITS, initialize=p_min)
    b.p_max_mw = pyo.Param(b.UNITS, initialize=p_max)
    count = table["n_units"].astype(int).to_dict()
    b.n_units = pyo.Param(b.UNITS, initialize=count)
    domain = _domain(mode, ctx.integer_steps)
    bounds = lambda b, g, t: (0, count[g])
    b.on = pyo.Var(b.UNITS, ctx_T(b), domain=domain, bounds=bounds)
    b.startup = pyo.Var(b.UNITS, ctx_T(b), domain=domain, bounds=bounds)
    b.shutdown = pyo.Var(b.UNITS, ctx_T(b), domain=domain, bounds=bounds)
    b.p_mw = pyo.Var(b.UNITS, ctx_T(b), domain=pyo.NonNegativeReals)
    for g in units:
        if g not in committed:
            for t in ctx_T(b):
                b.on[g, t].fix(count[g])
                b.startup[g, t].fix(0)
                b.shutdown[g, t].fix(0)
    b.history_depth = history_steps(table, dt)
    _build_state_params(b, ctx)
    if committed:
        _build_logic(b, ctx, table)
    ctx.add_power(bus_map(table), b.p_mw)
    ctx.provide("thermal.on", b.on)  # for technologies acting on a unit (CHP)
    ctx.provide("thermal.p_mw", b.p_mw)


def finalize(b, ctx) -> None:
    """Limits, ramps and costs act on the fuel-equivalent output p + Σ registered terms
    (e.g. CHP: p + c_v·h), known only once every technology has been built."""
    table = ctx.system.table(NAME)

    def fuel(b, g, t):
        extra = [coef * comp[key, t] for comp, key, coef in ctx.fuel_terms.get(g, [])]
        return b.p_mw[g, t] + pyo.quicksum(extra) if extra else b.p_mw[g, t]

    b.fuel_mw = pyo.Expression(b.UNITS, ctx_T(b), rule=fuel)
    ctx.provide("thermal.fuel_mw", b.fuel_mw)  # what limits act on (peak regulation)
    _build_limits(b, ctx, table)
    _build_ramps(b, ctx, table)
    _build_costs(b, ctx, table)
    _build_min_online(b, ctx)


def _domain(mode: str, integer_steps: int | None):
    """Integer commitment in the first `integer_steps` steps (all when None); continuous in a
    relaxed look-ahead and in 'relaxed'/'off' modes."""
    def rule(b, *index):
        if mode in ("relaxed", "off"):
            return pyo.Reals
        t = index[-1]
        return pyo.Integers if integer_steps is None or t < integer_steps else pyo.Reals
    return rule


def ctx_T(b):
    return b.model().T


def _build_state_params(b, ctx):
    """Initial state per window; initial must-on/off commitment are window bounds of `on`."""
    b.init_on = ctx.param(b.UNITS)
    b.init_p_mw = ctx.param(b.UNITS)
    b.ramp_up_first_mw = ctx.param(b.UNITS)


def _limit(table, g, col):
    return min(max(table.at[g, col], table.at[g, "p_min_mw"]), table.at[g, "p_max_mw"])


def _build_limits(b, ctx, table):
    T, last = ctx_T(b), ctx.n_steps - 1
    reserve = ctx.reserve_active
    if reserve:
        b.reserve_mw = pyo.Var(b.UNITS, T, domain=pyo.NonNegativeReals)
        ctx.add_reserve(list(table.index), b.reserve_mw)
    head = (lambda g, t: b.fuel_mw[g, t] + b.reserve_mw[g, t]) if reserve else (
        lambda g, t: b.fuel_mw[g, t])
    b.p_lower = pyo.Constraint(b.UNITS, T, rule=lambda b, g, t: b.fuel_mw[g, t]
                               >= b.p_min_mw[g] * b.on[g, t])
    su = {g: _limit(table, g, "startup_limit_mw") for g in b.UNITS}
    sd = {g: _limit(table, g, "shutdown_limit_mw") for g in b.UNITS}
    tight = {g: steps(table.at[g, "min_up_h"], ctx.dt_h) >= 2 for g in b.UNITS}

    def upper_start(b, g, t):
        rhs = b.p_max_mw[g] * b.on[g, t] - (b.p_max_mw[g] - su[g]) * b.startup[g, t]
        if tight[g] and t < last:
            rhs -= (b.p_max_mw[g] - sd[g]) * b.shutdown[g, t + 1]
        return head(g, t) <= rhs

    def upper_stop(b, g, t):
        if tight[g] or t == last or sd[g] >= b.p_max_mw[g]:
            return pyo.Constraint.Skip
        return head(g, t) <= b.p_max_mw[g] * b.on[g, t] - (b.p_max_mw[g] - sd[g]) * b.shutdown[
            g, t + 1]

    b.p_upper = pyo.Constraint(b.UNITS, T, rule=upper_start)
    b.p_upper_shutdown = pyo.Constraint(b.UNITS, T, rule=upper_stop)
    b.head = head


def _build_ramps(b, ctx, table):
    """Ramp rows. After the first step a ramp of at least p_max − p_min per step cannot bind:
    p_upper(t), p_lower(t − 1) and on(t) = on(t − 1) + su − sd bound the rise by
    (p_max − p_min)·on(t − 1) + su_limit·su(t), the fall likewise, so those rows are left out
    (LP and MIP alike). The first step's rows, from the previous window's output, stay."""
    T, dt = ctx_T(b), ctx.dt_h
    ru = {g: table.at[g, "ramp_up_mw_per_h"] * dt for g in b.UNITS}
    rd = {g: table.at[g, "ramp_down_mw_per_h"] * dt for g in b.UNITS}
    su = {g: _limit(table, g, "startup_limit_mw") for g in b.UNITS}
    sd = {g: _limit(table, g, "shutdown_limit_mw") for g in b.UNITS}
    b.RAMP_UP_UNITS = pyo.Set(initialize=[g for g in b.UNITS if ru[g] < table.at[
        g, "p_max_mw"] or su[g] < table.at[g, "p_max_mw"]], ordered=True)
    b.RAMP_DOWN_UNITS = pyo.Set(initialize=[g for g in b.UNITS if rd[g] < table.at[
        g, "p_max_mw"] or sd[g] < table.at[g, "p_max_mw"]], ordered=True)

    span = {g: table.at[g, "p_max_mw"] - table.at[g, "p_min_mw"] for g in b.UNITS}

    def ramp_up(b, g, t):
        if t == 0:
            return b.head(g, 0) - b.init_p_mw[g] <= b.ramp_up_first_mw[g] + su[g] * b.startup[g, 0]
        if ru[g] >= span[g]:  # implied by p_upper(t), p_lower(t − 1) and the logic
            return pyo.Constraint.Skip
        return b.head(g, t) - b.fuel_mw[g, t - 1] <= min(ru[g], 1e9) * b.on[g, t - 1] + su[
            g] * b.startup[g, t]

    # with the initial output unknown, init_p_mw is 0 and the first-step ramp cannot bind
    first_down = {g: min(rd[g], table.at[g, "p_max_mw"] * table.at[g, "n_units"])
                  for g in b.UNITS}

    def ramp_down(b, g, t):
        if t == 0:
            return b.init_p_mw[g] - b.fuel_mw[g, 0] <= first_down[g] * b.on[
                g, 0] + sd[g] * b.shutdown[g, 0]
        if rd[g] >= span[g]:  # implied by p_upper(t − 1), p_lower(t) and the logic
            return pyo.Constraint.Skip
        return b.fuel_mw[g, t - 1] - b.fuel_mw[g, t] <= min(rd[g], 1e9) * b.on[g, t] + sd[
            g] * b.shutdown[g, t]

    b.ramp_up = pyo.Constraint(b.RAMP_UP_UNITS, T, rule=ramp_up)
    b.ramp_down = pyo.Constraint(b.RAMP_DOWN_UNITS, T, rule=ramp_down)
    b.ramp_up_step_mw, b.ramp_down_step_mw = ru, rd


def _build_logic(b, ctx, table):
    T, dt = ctx_T(b), ctx.dt_h
    # at least one step: this also keeps startup + shutdown <= 1 in every step
    up = {g: max(1, steps(table.at[g, "min_up_h"], dt)) for g in b.COMMITTED}
    down = {g: max(1, steps(table.at[g, "min_down_h"], dt)) for g in b.COMMITTED}

    def logic(b, g, t):
        prev = b.init_on[g] if t == 0 else b.on[g, t - 1]
        return b.on[g, t] - prev == b.startup[g, t] - b.shutdown[g, t]

    def min_up(b, g, t):
        return pyo.quicksum(b.startup[g, k] for k in range(max(0, t - up[g] + 1), t + 1)) \
            <= b.on[g, t]

    def min_down(b, g, t):
        return pyo.quicksum(b.shutdown[g, k] for k in range(max(0, t - down[g] + 1), t + 1)) \
            <= b.n_units[g] - b.on[g, t]

    b.commitment_logic = pyo.Constraint(b.COMMITTED, T, rule=logic)
    b.min_up_time = pyo.Constraint(b.COMMITTED, T, rule=min_up)
    b.min_down_time = pyo.Constraint(b.COMMITTED, T, rule=min_down)
    b.up_steps, b.down_steps = up, down


def _build_min_online(b, ctx) -> None:
    """Minimum online thermal capacity (security: 最小开机方式): Σ p_max × on + shortfall ≥
    the case's `reserve.min_online_thermal_mw`; the shortfall costs the reserve-shortfall
    penalty (a rounded commitment below it is reported, never infeasible)."""
    need = ctx.reserve.min_online_thermal_mw
    if not need:
        return
    T = ctx_T(b)
    b.online_shortfall_mw = pyo.Var(T, domain=pyo.NonNegativeReals)
    b.min_online = pyo.Constraint(T, rule=lambda b, t: pyo.quicksum(
        b.p_max_mw[g] * b.on[g, t] for g in b.UNITS) + b.online_shortfall_mw[t] >= need)
    penalty = ctx.options.reserve_shortfall_penalty_cny_per_mwh
    ctx.add_cost("thermal_online_shortfall", lambda t: ctx.dt_h * penalty
                 * b.online_shortfall_mw[t], penalty=True)


def _build_costs(b, ctx, table):
    T, dt = ctx_T(b), ctx.dt_h
    lines = {g: cost_lines(table.loc[g], ctx.options.quadratic_cost_segments) for g in b.UNITS}
    multi = [g for g in b.UNITS if len(lines[g]) > 1]
    b.EPIGRAPH_UNITS = pyo.Set(initialize=multi, ordered=True)
    b.cost_epigraph_cny_per_h = pyo.Var(b.EPIGRAPH_UNITS, T, domain=pyo.Reals)
    b.LINES = pyo.Set(initialize=[(g, k) for g in multi for k in range(len(lines[g]))],
                      dimen=2, ordered=True)
    b.cost_line = pyo.Constraint(b.LINES, T, rule=lambda b, g, k, t: b.cost_epigraph_cny_per_h[
        g, t] >= lines[g][k][0] * b.fuel_mw[g, t] + lines[g][k][1] * b.on[g, t])

    def running(b, g, t):
        if g in multi:
            return b.cost_epigraph_cny_per_h[g, t]
        return lines[g][0][0] * b.fuel_mw[g, t] + lines[g][0][1] * b.on[g, t]

    b.running_cost_cny_per_h = pyo.Expression(b.UNITS, T, rule=running)
    ctx.add_cost("thermal_running", lambda t: dt * pyo.quicksum(
        b.running_cost_cny_per_h[g, t] for g in b.UNITS))
    _build_startup_costs(b, ctx, table)


def _build_startup_costs(b, ctx, table):
    """Matched start-up categories (Morales-España et al. 2013, as in pglib-uc): a start in
    step t is of category s only if the last shutdown was TS_s..TS_{s+1}-1 steps before."""
    T = ctx_T(b)
    cats = {g: startup_categories(table.loc[g], ctx.dt_h) for g in b.COMMITTED}
    multi = [g for g in b.COMMITTED if len(cats[g]) > 1]
    keys = [(g, s) for g in multi for s in range(len(cats[g]))]
    b.STARTUP_CATS = pyo.Set(initialize=keys, dimen=2, ordered=True)
    b.LAGGED_CATS = pyo.Set(initialize=[(g, s) for g, s in keys if s < len(cats[g]) - 1],
                            dimen=2, ordered=True)
    b.startup_category = pyo.Var(b.STARTUP_CATS, T, domain=_domain(
                                 ctx.options.commitment, ctx.integer_steps),
                                 bounds=lambda b, g, s, t: (0, b.n_units[g]))
    b.prior_shutdown = ctx.param(b.LAGGED_CATS, T)
    b.startup_split = pyo.Constraint(multi, T, rule=lambda b, g, t: pyo.quicksum(
        b.startup_category[g, s, t] for s in range(len(cats[g]))) == b.startup[g, t])

    def category_window(b, g, s, t):
        lo, hi = max(1, cats[g][s][0]), cats[g][s + 1][0] - 1
        inside = [b.shutdown[g, t - i] for i in range(lo, hi + 1) if t - i >= 0]
        return b.startup_category[g, s, t] <= pyo.quicksum(inside) + b.prior_shutdown[g, s, t]

    b.startup_category_window = pyo.Constraint(b.LAGGED_CATS, T, rule=category_window)

    def cost(b, g, t):
        if g in multi:
            return pyo.quicksum(c * b.startup_category[g, s, t] for s, (_, c) in enumerate(
                cats[g]))
        return cats[g][0][1] * b.startup[g, t]

    b.startup_cost_cny = pyo.Expression(b.COMMITTED, T, rule=cost)
    b.categories = cats
    ctx.add_cost("thermal_startup", lambda t: pyo.quicksum(
        b.startup_cost_cny[g, t] for g in b.COMMITTED))


# ---- window data ------------------------------------------------------------------------

def history_steps(table, dt_h) -> int:
    """Steps of start/shut-down history a window needs: max of min up, min down, lags."""
    longest = [table["min_up_h"].max(), table["min_down_h"].max(), 1.0]
    for cats in table["startup_categories"]:
        if isinstance(cats, (list, tuple)) and len(cats):
            longest.append(max(h for h, _ in cats))
    return steps(max(longest), dt_h) + 1


def initial_state(table, dt_h) -> dict:
    """State before the first window from the table's initial_* columns: units on, output,
    and start-ups / shut-downs per past step (index 0 = the step just before the window)."""
    depth = history_steps(table, dt_h)
    out = {}
    for g, r in table.iterrows():
        on = float(r.initial_on) * int(r.n_units)
        su, sd = [0.0] * depth, [0.0] * depth
        ago = steps(r.initial_time_in_state_h - 1e-9, dt_h)
        if 1 <= ago <= depth:
            (su if on else sd)[ago - 1] = on if on else float(r.n_units)
        out[g] = {"on": on, "p_mw": float(r.initial_p_mw), "su": su, "sd": sd}
    return out


def update(b, ctx, start: int, state: dict | None) -> None:
    table = ctx.system.table(NAME)
    state = state or initial_state(table, ctx.dt_h)
    b._last_state = state
    units = list(b.UNITS)
    count = table.loc[units, "n_units"].to_numpy(float)
    committed = np.array([g in b.COMMITTED for g in units])
    on = np.where(committed, [state[g]["on"] for g in units], count)
    p0 = np.array([state[g]["p_mw"] for g in units], dtype=float)
    known = ~np.isnan(p0)
    unit_max = table.loc[units, "p_max_mw"].to_numpy(float)
    ramp = np.array([b.ramp_up_step_mw[g] for g in units], dtype=float)
    ctx.set_param(b.init_on, on, units)
    ctx.set_param(b.init_p_mw, np.where(known & (on > 0), np.nan_to_num(p0), 0.0), units)
    ctx.set_param(b.ramp_up_first_mw, np.where(known, np.minimum(ramp, unit_max) * on,
                                               unit_max * count), units)
    _set_initial_must(b, ctx, state, table)
    _set_prior_shutdown(b, ctx, state)


def _recent(history, steps_back: np.ndarray) -> np.ndarray:
    """Sum of the history's first `steps_back` entries (entry 0 = the step just before the
    window), for each value of steps_back (clipped to the history)."""
    total = np.concatenate([[0.0], np.cumsum(np.asarray(history, dtype=float))])
    return total[np.clip(steps_back, 0, len(total) - 1)]


def _set_initial_must(b, ctx, state, table):
    """Units started (stopped) within min up (down) before the window stay on (off): window
    bounds on `on`; must-run rows stay fully on."""
    units, t = list(b.COMMITTED), np.arange(ctx.n_steps)
    lower, upper = np.zeros((len(units), len(t))), np.zeros((len(units), len(t)))
    must = table.loc[units, "must_run"].astype(bool).to_numpy() if units else []
    for i, g in enumerate(units):
        s, count = state[g], float(b.n_units[g])
        lower[i] = count if must[i] else _recent(s["su"], b.up_steps[g] - t - 1)
        upper[i] = count - _recent(s["sd"], b.down_steps[g] - t - 1)
    if units:
        ctx.set_bounds(b.on, units, lower, upper)


def _set_prior_shutdown(b, ctx, state):
    """Shut-downs before the window whose off time at step t falls in category s's range:
    history entries max(lo − t − 1, 0) … hi − t − 1 (entry 0 = one step before)."""
    keys, t = list(b.LAGGED_CATS), np.arange(ctx.n_steps)
    values = np.zeros((len(keys), len(t)))
    for j, (g, s) in enumerate(keys):
        cats = b.categories[g]
        lo, hi = max(1, cats[s][0]), cats[s + 1][0] - 1
        first, stop = np.maximum(lo - t - 1, 0), hi - t
        values[j] = np.where(stop > first, _recent(state[g]["sd"], stop)
                             - _recent(state[g]["sd"], first), 0.0)
    if keys:
        ctx.set_param(b.prior_shutdown, values, keys)


def final_state(b, ctx, k: int) -> dict:
    """Units on, output and start/shut-down history after step k-1 of this window."""
    old = getattr(b, "_last_state", None) or {}
    exact = ctx.options.commitment in ("relaxed", "off")  # fractional states stay fractional
    keep = (lambda v: np.round(v, 6)) if exact else np.round
    units = list(b.UNITS)
    su = keep(ctx.values(b.startup, units)[:, :k][:, ::-1])
    sd = keep(ctx.values(b.shutdown, units)[:, :k][:, ::-1])
    on = keep(ctx.values(b.on, units)[:, k - 1])
    fuel = ctx.values(b.fuel_mw, units)[:, k - 1]
    depth = b.history_depth
    out = {}
    for i, g in enumerate(units):
        prev = old.get(g, {"su": [], "sd": []})
        out[g] = {"on": float(on[i]), "p_mw": float(fuel[i]),
                  "su": (su[i].tolist() + list(prev["su"]))[:depth],
                  "sd": (sd[i].tolist() + list(prev["sd"]))[:depth]}
    return out


def warm_start(b, ctx, shift: int) -> list:
    """Commitment for the window `shift` steps later: this window's values from step `shift`
    on (the look-ahead, possibly relaxed), rounded up so heat and reserve stay covered.
    Returns [(var, assets, values (asset × steps))]."""
    n = min(ctx.n_steps - shift, ctx.integer_steps or ctx.n_steps)
    units = list(b.COMMITTED)
    if ctx.options.commitment not in ("binary", "clustered", "rounded") or n <= 0 or not units:
        return []
    count = np.array([b.n_units[g] for g in units], dtype=float)[:, None]
    ahead = ctx.values(b.on, units)[:, shift:shift + n]
    return [(b.on, units, np.minimum(count, np.ceil(ahead - 1e-6)))]


def round_commitment(b, ctx, threshold_pu: float) -> list:
    """Rounded relaxation: the LP's commitment counts in the integer steps, rounded (up when
    the fraction is at least `threshold_pu`) and repaired for min up/down, must-run and the
    history before the window. Returns [(var, assets, values (asset × steps))]."""
    units = list(b.COMMITTED)
    if not units:
        return []
    n_int = min(ctx.integer_steps or ctx.n_steps, ctx.n_steps)
    lp = ctx.values(b.on, units)[:, :n_int]
    table, state = ctx.system.table(NAME), b._last_state
    fixed = np.array([repair_commitment(
        round_counts(lp[i], threshold_pu), int(b.n_units[g]), b.up_steps[g], b.down_steps[g],
        state[g]["su"], state[g]["sd"], bool(table.at[g, "must_run"]), state[g]["on"])
        for i, g in enumerate(units)]).reshape(len(units), n_int)
    before = np.array([state[g]["on"] for g in units], dtype=float)[:, None]
    change = np.diff(np.hstack([before, fixed]), axis=1)
    return [(b.on, units, fixed), (b.startup, units, np.maximum(change, 0.0)),
            (b.shutdown, units, np.maximum(-change, 0.0))]


def repair_commitment(counts, n_units: int, up: int, down: int, su_hist, sd_hist,
                      must_run: bool, on_before: float) -> np.ndarray:
    """Clamp rounded counts step by step into what min up/down allow: units started within
    the last up−1 steps stay on, units stopped within the last down−1 steps stay off
    (history before the window included). The clamp is always feasible."""
    su, sd = list(su_hist)[::-1], list(sd_hist)[::-1]  # oldest first, last = step −1
    prev, out = float(on_before), np.zeros(len(counts))
    for t, want in enumerate(counts):
        lower = n_units if must_run else sum(su[len(su) - (up - 1):]) if up > 1 else 0.0
        upper = n_units - (sum(sd[len(sd) - (down - 1):]) if down > 1 else 0.0)
        now = float(min(max(want, lower), upper, n_units))
        su.append(max(0.0, now - prev))
        sd.append(max(0.0, prev - now))
        out[t], prev = now, now
    return out


def emissions(b, ctx) -> list:
    """CO2 of each unit's fuel-equivalent output (t per MWh, × dt_h by the caller)."""
    table = ctx.system.table(NAME)
    return [(b.fuel_mw, table["co2_t_per_mwh"].to_dict(), list(b.UNITS))]


# ---- results ----------------------------------------------------------------------------

def extract(b, ctx) -> dict:
    table = ctx.system.table(NAME)
    units = list(b.UNITS)
    p = ctx.values(b.p_mw, units)
    fuel = ctx.values(b.fuel_mw, units)
    on = np.round(ctx.values(b.on, units), 6)
    su = np.round(ctx.values(b.startup, units), 6)
    cost = ctx.values(b.running_cost_cny_per_h, units) * ctx.dt_h
    committed = [g for g in units if g in b.COMMITTED]
    if committed:
        rows = [units.index(g) for g in committed]
        cost[rows] += ctx.values(b.startup_cost_cny, committed)
    dt = ctx.dt_h
    out = {
        "thermal_p_mw": p, "thermal_on_count": on, "thermal_startup_count": su,
        "thermal_cost_cny": cost,
        "thermal_co2_t": fuel * dt * table["co2_t_per_mwh"].to_numpy()[:, None],
        "thermal_coal_t": fuel * dt * table["coal_t_per_mwh"].to_numpy()[:, None],
    }
    if ctx.reserve_active:
        out["thermal_reserve_mw"] = ctx.values(b.reserve_mw, units)
    kinds = table.loc[units, "kind"].astype(str).tolist()
    return {k: data_array(k, v, NAME, units, thermal_kind=kinds) for k, v in out.items()}


def curtailment_roles(ds, system) -> list:
    """Units not serving heat: output up to p_min × on is `min_stable_load`; output held
    above it because the unit could not ramp down further since the last hour is `ramping`.
    (Units another technology claims, e.g. CHP's, are classified by that technology.)"""

    table = system.table(NAME)
    claimed = {unit for tech in system.techs if tech.NAME != NAME and tech.active(system)
               for unit in tech.claims(system).get(NAME, ())}
    units = [g for g in table.index if g not in claimed]
    if not units:
        return []
    p, on = result(ds, "thermal_p_mw", units), result(ds, "thermal_on_count", units)
    floor = table.loc[units, "p_min_mw"].to_numpy()[:, None] * on
    ramp_mw = (table.loc[units, "ramp_down_mw_per_h"].to_numpy() * system.dt_h)[:, None]
    reach = np.full_like(p, -np.inf)  # lowest output reachable from the last hour
    limited = np.isfinite(ramp_mw)
    reach[:, 1:] = np.where(limited, p[:, :-1] - np.where(limited, ramp_mw, 0.0) * on[:, :-1],
                            -np.inf)
    held = np.clip(np.minimum(p, reach) - floor, 0.0, None)
    return [Role("min_stable_load", FORCED, np.minimum(p, floor).sum(axis=0)),
            Role("ramping", FORCED, held.sum(axis=0))]


@dataclass(frozen=True)
class UnitView:
    """What another technology may read of thermal units after a run (unit × time)."""

    p_mw: np.ndarray           # output
    on_count: np.ndarray       # units on
    min_output_mw: np.ndarray  # minimum stable output of the units on (p_min × on)


def unit_view(ds, system, units: list) -> UnitView:
    """The typed view of `units` in a solved run (e.g. CHP's curtailment roles)."""
    p, on = result(ds, "thermal_p_mw", units), result(ds, "thermal_on_count", units)
    p_min = system.table(NAME).loc[units, "p_min_mw"].to_numpy(float)[:, None]
    return UnitView(p, on, p_min * on)


def with_min_load(tables: dict, min_load_pu: dict) -> dict:
    """The tables with the named units' minimum stable output set to a share of their rating
    (how a technology acting on a unit, e.g. a CHP minimum load, changes it)."""
    thermal = tables[NAME].copy()
    for unit, pu in min_load_pu.items():
        thermal.loc[unit, "p_min_mw"] = pu * thermal.at[unit, "p_max_mw"]
    return {**tables, NAME: thermal}


def with_technical_minimum(tables: dict, floor_pu: float) -> dict:
    """Committable units may run down to `floor_pu` × their rating where that is below
    their minimum (a market for deep regulation); the minimum they had is kept as
    `normal_min_mw`."""
    table = tables[NAME].copy()
    table["normal_min_mw"] = table["p_min_mw"]
    committable = table["committable"].astype(bool)
    floor = floor_pu * table["p_max_mw"]
    table.loc[committable, "p_min_mw"] = np.minimum(table["p_min_mw"], floor)[committable]
    return {**tables, NAME: table}


def below_normal_minimum(system) -> pd.DataFrame:
    """Committable units allowed below their normal minimum: `normal_min_mw`, `p_max_mw`
    (rows of one unit each; MW)."""
    table = system.table(NAME)
    if "normal_min_mw" not in table:
        return pd.DataFrame(columns=["normal_min_mw", "p_max_mw"])
    deep = table["committable"].astype(bool) & (table["p_min_mw"]
                                                 < table["normal_min_mw"] - 1e-9)
    return table.loc[deep, ["normal_min_mw", "p_max_mw"]]
