"""Export contracts (送电计划) on export links: delivered energy per month and per year
within [min, max], carried across rolling windows, and a ramp limit of the net export.

Energy counted: net export at the provincial end (export − import, MW × dt_h). Each window
keeps its committed steps that fall in the window start's month (year); the running total
of the month (year) so far is the window's state. Per window:
- minimum: Σ counted net export + shortfall ≥ (min − delivered so far)⁺ × (hours of the
  period in this window's committed part) / (hours left in the calendar period): the window's
  share of what is still missing, so a deficit is carried forward; the shortfall is paid at
  `shortfall_cost_cny_per_mwh` (a penalty: a contract that cannot be met is reported, never
  infeasible);
- maximum: Σ counted net export ≤ max − delivered so far (what is left of the allowance),
  or with `month_max_pro_rata` the window's share of it (the same share as the minimum's):
  a fixed monthly volume then leaves evenly instead of front-loading into the first
  windows whose exports are worth more than coal;
- ramp: |net export_t − net export_t−1| ≤ ramp_mw_per_h × dt_h (the first step against the
  last kept step of the previous window);
- delivery curve: a 24-value hour-of-day shape (pu of the day's mean): per day of the window
  a free level L_d ≥ 0 and |net export_t − shape(hour of t) × L_d| ≤ delivery_band_pu ×
  p_export_max_mw (windows must cover whole days);
- bundled export (风火打捆): renewables dedicated to the link (`renewable_assets`) count
  first: r_t ≤ export_t, r_t ≤ Σ their used output, Σ r_t ≥ min_renewable_share_pu × Σ
  export_t over each window. The per-link KPI uses the same rule (kpi.export_links).
A window that cannot meet its share (export held up by the ramp from the last window while
the wind drops) pays the missing renewable MWh as shortfall, and a step from the previous
window beyond the ramp pays its excess MW: both at shortfall_cost_cny_per_mwh, so contract
terms never make a window infeasible.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ...contract_terms import with_terms
from ...errors import CaseError, NetworkError
from ...outputs import Output
from ...system import TableSpec
from ._pyomo import pyo
from ._util import check_refs, data_array

NAME = "export_contract"
REQUIRES = ("export_link", "renewable")
INF = math.inf
SPEC = TableSpec(NAME, {
    "link": (None, "export link name", str),
    "month_min_mwh": (0.0, "MWh of net export per calendar month, at least"),
    "month_max_mwh": (INF, "MWh of net export per calendar month, at most"),
    "month_max_pro_rata": (False, ("true/false: each window may send at most its share of "
                                   "what is left of the monthly maximum (hours of the month "
                                   "in its kept part / hours left), a daily plan that spreads "
                                   "the month's volume; false: any window may use all of it")),
    "year_min_mwh": (0.0, "MWh of net export per calendar year, at least"),
    "year_max_mwh": (INF, "MWh of net export per calendar year, at most"),
    "ramp_mw_per_h": (INF, "MW/h change of net export"),
    "shortfall_cost_cny_per_mwh": (2000.0, "CNY per MWh below a minimum (penalty)"),
    "delivery_curve_pu": ("", "24 comma-separated pu values by hour of day ('' = none)"),
    "delivery_band_pu": (INF, "pu of p_export_max_mw the export may leave its curve by"),
    "renewable_assets": ("", "';'-separated renewable names dedicated to the link"),
    "min_renewable_share_pu": (0.0, "share of exported energy from those renewables",
                               (0.0, 1.0)),
}, ordered=(("month_min_mwh", "month_max_mwh"), ("year_min_mwh", "year_max_mwh")))
OUTPUTS = (
    Output("export_contract_shortfall_mwh", "electricity", "quantity",
           "export_contract_shortfall_mwh", "Contract shortfall"),
)
PERIODS = ("month", "year")


def active(system) -> bool:
    """Only rows with a term build anything (an empty slot leaves the model unchanged)."""
    return len(with_terms(system.table(NAME))) > 0


def prepare(tables: dict, where, case) -> dict:

    table = tables[NAME]
    links = tables["export_link"].index if "export_link" in tables else []
    check_refs(table, "link", links, "export links", NAME, where)
    known = set(tables["renewable"].index) if "renewable" in tables else set()
    origin = lambda c, col: case.origins.get(f"overrides.{NAME}.{c}.{col}", where)
    for c, row in table.iterrows():
        try:
            curve_pu(row)
        except ValueError as exc:
            raise NetworkError(origin(c, "delivery_curve_pu"), f"{NAME}.{c}.delivery_curve_pu",
                               str(exc), "24 comma-separated numbers ≥ 0 (pu by hour of day)"
                               ) from None
        missing = sorted(set(dedicated(row)) - known)
        if missing or (row.min_renewable_share_pu > 0 and not dedicated(row)):
            raise NetworkError(origin(c, "renewable_assets"), f"{NAME}.{c}.renewable_assets",
                               f"unknown renewables {missing}" if missing else "none named",
                               f"';'-separated names of {sorted(known)}")
    return tables


def curve_pu(row) -> np.ndarray | None:
    text = str(row.delivery_curve_pu or "").strip()
    if not text:
        return None
    values = np.array([float(v) for v in text.split(",")])
    if len(values) != 24 or not np.all(np.isfinite(values)) or (values < 0).any():
        raise ValueError(f"{len(values)} values, need 24 finite values ≥ 0")
    return values


def dedicated(row) -> list[str]:
    return [a.strip() for a in str(row.renewable_assets or "").split(";") if a.strip()]


def build(b, ctx) -> None:
    table = with_terms(ctx.system.table(NAME))
    links = ctx.system.table("export_link")
    T, dt = b.model().T, ctx.dt_h
    exp, imp = ctx.use("export_link.export_mw"), ctx.use("export_link.import_mw")
    col = table.to_dict()
    b.ROWS = pyo.Set(initialize=list(table.index), ordered=True)
    link = col["link"]
    net = lambda c, t: exp[link[c], t] - imp[link[c], t]
    b.PERIOD = pyo.Set(initialize=list(PERIODS), ordered=True)
    hi = {c: float(links.at[link[c], "p_export_max_mw"]) for c in b.ROWS}
    lo = {c: -float(links.at[link[c], "p_import_max_mw"]) for c in b.ROWS}
    # net export split into the part counted in the current period and the rest (bounds
    # per window: 0 outside the period's committed steps)
    b.counted_mw = pyo.Var(b.ROWS, b.PERIOD, T, bounds=lambda b, c, p, t: (lo[c], hi[c]))
    b.rest_mw = pyo.Var(b.ROWS, b.PERIOD, T, bounds=lambda b, c, p, t: (lo[c], hi[c]))
    b.split = pyo.Constraint(b.ROWS, b.PERIOD, T, rule=lambda b, c, p, t: b.counted_mw[c, p, t]
                             + b.rest_mw[c, p, t] == net(c, t))
    counted = lambda b, c, p: dt * pyo.quicksum(b.counted_mw[c, p, t] for t in T)
    for p in PERIODS:  # params and slacks per period: (row,)-indexed, as the data layer wants
        setattr(b, f"need_{p}_mwh", ctx.param(b.ROWS))
        setattr(b, f"allowance_{p}_mwh", ctx.param(b.ROWS))
        setattr(b, f"shortfall_{p}_mwh", pyo.Var(b.ROWS, domain=pyo.NonNegativeReals))
    need = lambda p, c: getattr(b, f"need_{p}_mwh")[c]
    short = lambda p, c: getattr(b, f"shortfall_{p}_mwh")[c]
    b.minimum = pyo.Constraint(b.ROWS, b.PERIOD, rule=lambda b, c, p: pyo.Constraint.Skip
                               if col[f"{p}_min_mwh"][c] <= 0 else
                               counted(b, c, p) + short(p, c) >= need(p, c))
    b.maximum = pyo.Constraint(b.ROWS, b.PERIOD, rule=lambda b, c, p: pyo.Constraint.Skip
                               if not math.isfinite(col[f"{p}_max_mwh"][c]) else
                               counted(b, c, p) <= getattr(b, f"allowance_{p}_mwh")[c])
    _build_ramp(b, ctx, col, net)
    _build_curve(b, ctx, table, net, hi)
    _build_bundle(b, ctx, table, exp, link)
    cost = col["shortfall_cost_cny_per_mwh"]
    ctx.add_cost("export_contract_shortfall", lambda t: pyo.quicksum(
        cost[c] * short(p, c) for c in b.ROWS for p in PERIODS)
        + pyo.quicksum(cost[c] * b.share_shortfall_mwh[c] for c in b.BUNDLED)
        + pyo.quicksum(cost[c] * dt * b.ramp_slack_mw[c] for c in b.RAMPED)
        if t == 0 else 0.0, penalty=True)


def _build_curve(b, ctx, table, net, cap) -> None:
    """Hour-of-day delivery shape around a free daily level."""

    T, dt = b.model().T, ctx.dt_h
    rows = [c for c in table.index if curve_pu(table.loc[c]) is not None]
    b.CURVED = pyo.Set(initialize=rows, ordered=True)
    if not rows:
        return
    per_day = max(1, round(24.0 / dt))
    commit = ctx.commit_steps or ctx.n_steps
    if commit != ctx.n_steps and (commit * dt) % 24:
        raise CaseError("case", "horizon.window_h", "delivery curves need windows of whole "
                        "days", "a multiple of 24 h")
    hour0 = pd.Timestamp(ctx.system.time[0]).hour
    hour = lambda t: int(hour0 + t * dt) % 24
    b.DAYS = pyo.RangeSet(0, (ctx.n_steps - 1) // per_day)
    b.level_mw = pyo.Var(b.CURVED, b.DAYS, domain=pyo.NonNegativeReals)
    shape = {c: curve_pu(table.loc[c]) for c in rows}
    band = {c: table.at[c, "delivery_band_pu"] * cap[c] for c in rows}
    gap = lambda b, c, t: net(c, t) - shape[c][hour(t)] * b.level_mw[c, t // per_day]
    b.curve_above = pyo.Constraint(b.CURVED, T, rule=lambda b, c, t: gap(b, c, t) <= band[c])
    b.curve_below = pyo.Constraint(b.CURVED, T, rule=lambda b, c, t: gap(b, c, t) >= -band[c])


def _build_bundle(b, ctx, table, exp, link) -> None:
    """Dedicated renewables count first toward the link's renewable share."""
    T = b.model().T
    rows = [c for c in table.index if table.at[c, "min_renewable_share_pu"] > 0]
    b.BUNDLED = pyo.Set(initialize=rows, ordered=True)
    if not rows:
        return
    used = ctx.use("renewable.used_mw")
    share = table["min_renewable_share_pu"].to_dict()
    assets = {c: dedicated(table.loc[c]) for c in rows}
    b.renewable_sent_mw = pyo.Var(b.BUNDLED, T, domain=pyo.NonNegativeReals)
    b.sent_le_export = pyo.Constraint(b.BUNDLED, T, rule=lambda b, c, t:
                                      b.renewable_sent_mw[c, t] <= exp[link[c], t])
    b.sent_le_output = pyo.Constraint(b.BUNDLED, T, rule=lambda b, c, t:
                                      b.renewable_sent_mw[c, t] <= pyo.quicksum(
                                          used[r, t] for r in assets[c]))
    # a window whose export is held up (ramp from the last window, curve) may lack the wind:
    # the missing renewable MWh are a penalised shortfall, never an infeasible window
    b.share_shortfall_mwh = pyo.Var(b.BUNDLED, domain=pyo.NonNegativeReals)
    b.renewable_share = pyo.Constraint(b.BUNDLED, rule=lambda b, c: ctx.dt_h * pyo.quicksum(
        b.renewable_sent_mw[c, t] - share[c] * exp[link[c], t] for t in T)
        + b.share_shortfall_mwh[c] >= 0)


def _build_ramp(b, ctx, col, net) -> None:
    T, dt = b.model().T, ctx.dt_h
    ramp = {c: col["ramp_mw_per_h"][c] * dt for c in b.ROWS}
    b.RAMPED = pyo.Set(initialize=[c for c in b.ROWS if math.isfinite(ramp[c])], ordered=True)
    b.init_net_mw = ctx.param(b.RAMPED)
    b.has_init = ctx.param(b.RAMPED)   # 0 in the first window: no previous step
    prev = lambda b, c, t: net(c, t - 1) if t > 0 else b.init_net_mw[c]

    # the step from the previous window may exceed the ramp (a curve or a new day can ask
    # for it): the excess MW is a penalised slack, never an infeasible window
    b.ramp_slack_mw = pyo.Var(b.RAMPED, domain=pyo.NonNegativeReals)

    def up(b, c, t):
        if t == 0:
            return net(c, 0) - b.init_net_mw[c] - b.ramp_slack_mw[c] <= ramp[c] + (
                1 - b.has_init[c]) * 1e7
        return net(c, t) - prev(b, c, t) <= ramp[c]

    def down(b, c, t):
        if t == 0:
            return b.init_net_mw[c] - net(c, 0) - b.ramp_slack_mw[c] <= ramp[c] + (
                1 - b.has_init[c]) * 1e7
        return prev(b, c, t) - net(c, t) <= ramp[c]

    b.ramp_up = pyo.Constraint(b.RAMPED, T, rule=up)
    b.ramp_down = pyo.Constraint(b.RAMPED, T, rule=down)


def _period_key(stamp: pd.Timestamp, period: str) -> str:
    return f"{stamp.year}" if period == "year" else f"{stamp.year}-{stamp.month:02d}"


def _hours_left(stamp: pd.Timestamp, period: str) -> float:
    end = pd.Timestamp(year=stamp.year + (period == "year" or stamp.month == 12),
                       month=1 if period == "year" or stamp.month == 12 else stamp.month + 1,
                       day=1)
    return (end - stamp) / pd.Timedelta(hours=1)


def update(b, ctx, start: int, state) -> None:
    """The window's share of each period's missing energy and what is left of its maximum;
    net export outside the period's committed steps is not counted."""
    table, times = with_terms(ctx.system.table(NAME)), ctx.system.time
    rows, n, k = list(b.ROWS), ctx.n_steps, ctx.commit_steps or ctx.n_steps
    b.window_start = start
    first = pd.Timestamp(times[min(start, len(times) - 1)])
    stamps = [pd.Timestamp(times[min(start + t, len(times) - 1)]) for t in range(n)]
    state = state or {}
    b.previous_state = state
    need, allowance = np.zeros((len(rows), 2)), np.zeros((len(rows), 2))
    for j, period in enumerate(PERIODS):
        key = _period_key(first, period)
        mask = np.array([t < k and start + t < len(times) and _period_key(s, period) == key
                         for t, s in enumerate(stamps)], dtype=float)
        share = mask.sum() * ctx.dt_h / _hours_left(first, period)
        for i, c in enumerate(rows):
            done = state.get(c, {}).get(period, {}).get(key, 0.0)
            need[i, j] = max(0.0, table.at[c, f"{period}_min_mwh"] - done) * min(share, 1.0)
            top = table.at[c, f"{period}_max_mwh"]
            allowance[i, j] = max(0.0, top - done) if math.isfinite(top) else 0.0
            if period == "month" and bool(table.at[c, "month_max_pro_rata"]):
                allowance[i, j] *= min(share, 1.0)
            _set_counted(b, ctx, c, period, mask)
    for j, period in enumerate(PERIODS):
        ctx.set_param(getattr(b, f"need_{period}_mwh"), need[:, j], rows)
        ctx.set_param(getattr(b, f"allowance_{period}_mwh"), allowance[:, j], rows)
    ramped = list(b.RAMPED)
    if ramped:
        last = [state.get(c, {}).get("last_net_mw") for c in ramped]
        ctx.set_param(b.init_net_mw, [v or 0.0 for v in last], ramped)
        ctx.set_param(b.has_init, [0.0 if v is None else 1.0 for v in last], ramped)


def _set_counted(b, ctx, c, period, mask) -> None:
    """counted = net export where mask is 1, rest = net export elsewhere (bounds)."""
    lo, hi = b.counted_mw[c, period, 0].lb, b.counted_mw[c, period, 0].ub
    ctx.set_bounds(b.counted_mw, [(c, period)], lo * mask, hi * mask)
    ctx.set_bounds(b.rest_mw, [(c, period)], lo * (1 - mask), hi * (1 - mask))


def final_state(b, ctx, k: int) -> dict:
    """Per row: net export delivered so far in each month and year touched, and the last
    kept step's net export (for the ramp)."""
    table, times = with_terms(ctx.system.table(NAME)), ctx.system.time
    exp, imp = ctx.use("export_link.export_mw"), ctx.use("export_link.import_mw")
    links = table["link"].tolist()
    net = ctx.values(exp, links)[:, :k] - ctx.values(imp, links)[:, :k]
    previous = getattr(b, "previous_state", None) or {}
    out = {}
    for i, c in enumerate(table.index):
        totals = {p: dict(previous.get(c, {}).get(p, {})) for p in PERIODS}
        for t in range(k):
            stamp = pd.Timestamp(times[min(b.window_start + t, len(times) - 1)])
            for p in PERIODS:
                key = _period_key(stamp, p)
                totals[p][key] = totals[p].get(key, 0.0) + float(net[i, t]) * ctx.dt_h
        out[c] = {**totals, "last_net_mw": float(net[i, k - 1])}
    return out


def extract(b, ctx) -> dict:
    """Shortfall per window, at the window's first step (MWh): energy below a minimum plus
    renewable MWh missing from a bundled share."""
    rows = list(b.ROWS)
    short = np.zeros((len(rows), ctx.n_steps))
    for p in PERIODS:
        short[:, 0] += ctx.values(getattr(b, f"shortfall_{p}_mwh"), rows)
    bundled = list(b.BUNDLED)
    if bundled:
        short[[rows.index(c) for c in bundled], 0] += ctx.values(b.share_shortfall_mwh, bundled)
    return {"export_contract_shortfall_mwh": data_array("export_contract_shortfall_mwh",
                                                         short, NAME, rows)}
