"""Tie lines and export links (inter-provincial AC ties, UHV DC links) to external systems.

Per link: export (out of the province) and import (into it) in MW at the provincial bus,
losses as a share of the sent power, a value for delivered exports and a price for imports,
and optional hourly bounds on net export (`schedule_min_profile` / `schedule_max_profile`,
series in MW; negative = net import).

A scheduled exchange the dispatcher can adjust (`schedule_band_mw` > 0): net export may leave
its schedule by up to the band (dev_up above it, dev_down below), at a small cost per MWh,
while the cumulative deviation (carried from window to window) stays within
±`deviation_limit_mwh` — the contracted volume is kept within that account.
"""

from __future__ import annotations

import numpy as np

from ...causes import AT_LIMIT_TOL_MW, FORCED, SINK, Cause, Role
from ...errors import NetworkError
from ...outputs import Output
from ...system import TableSpec
from ._pyomo import pyo
from ._util import bus_map, data_array, profile, result

NAME = "export_link"
SPEC = TableSpec("export_link", {
    "bus": (None, "bus name (provincial end)"),
    "p_export_max_mw": (None, "MW out of the province"),
    "p_import_max_mw": (0.0, "MW into the province"),
    "loss_pu": (0.0, "share of sent power lost (pu)"),
    "export_value_cny_per_mwh": (0.0, "CNY per delivered MWh"),
    "export_value_profile": ("", ("series: pu of export_value_cny_per_mwh by hour (price "
                                  "periods, e.g. peak/flat/valley); '' = flat")),
    "import_price_cny_per_mwh": (0.0, "CNY per imported MWh"),
    "schedule_min_profile": ("", "series of minimum net export (MW)"),
    "schedule_max_profile": ("", "series of maximum net export (MW)"),
    "schedule_scale": (1.0, ("factor on both schedule profiles (a year's scheduled volume "
                             "against the profile's, e.g. 20.80 / 19.62 TWh; negative turns "
                             "a net import into a net export)"), (-100.0, 100.0)),
    "schedule_band_mw": (0.0, "MW the net export may leave its schedule by (0 = fixed)"),
    "deviation_limit_mwh": (0.0, "MWh: cumulative deviation from the schedule kept within ±"),
    "deviation_cost_cny_per_mwh": (1.0, "CNY per MWh of deviation (coordination priority)"),
}, scaled=("p_export_max_mw", "p_import_max_mw"))
OUTPUTS = (
    Output("export_link_export_mw", "electricity", "export", "export_mwh", "Export"),
    Output("export_link_import_mw", "electricity", "import", "import_mwh", "Import", "#9467bd"),
    Output("export_link_deviation_mw", "electricity", "detail", "export_link_deviation_mwh",
           "Deviation from schedule (+ = less import / more export)"),
    Output("export_link_deviation_account_mwh", "electricity", "level", "",
           "Cumulative deviation from schedule"),
    Output("export_link_limit_value_cny_per_mw", "electricity", "price", "",
           "Shadow value of the export capacity"),
)
CAUSES = (
    Cause("fixed_exchanges", "tie schedules below capacity that exports cannot exceed, or "
          "imports that cannot be reduced"),
    Cause("export_limit", "export links at their capacity"),
)


def active(system) -> bool:
    return len(system.table(NAME)) > 0


def _check(table):
    keep = 1 - table["loss_pu"]
    bad = table.index[(table["import_price_cny_per_mwh"] < table[
        "export_value_cny_per_mwh"] * keep * keep - 1e-9) & (table["p_import_max_mw"] > 0)]
    if len(bad):
        raise NetworkError("network", f"export_link.{bad[0]}.import_price_cny_per_mwh",
                           "below the export value: buying and selling at once would pay",
                           ">= export_value_cny_per_mwh × (1 - loss_pu)^2")


def build(b, ctx) -> None:
    table = ctx.system.table(NAME)
    _check(table)
    T, dt = b.model().T, ctx.dt_h
    b.LINKS = pyo.Set(initialize=list(table.index), ordered=True)
    b.export_max_mw = ctx.param(b.LINKS, T)
    b.import_max_mw = ctx.param(b.LINKS, T)
    b.net_export_min_mw = ctx.param(b.LINKS, T)
    b.export_mw = pyo.Var(b.LINKS, T, domain=pyo.NonNegativeReals)
    b.import_mw = pyo.Var(b.LINKS, T, domain=pyo.NonNegativeReals)
    band = table["schedule_band_mw"].to_dict()
    b.BANDED = pyo.Set(initialize=[k for k in b.LINKS if band[k] > 0], ordered=True)
    b.dev_up_mw = pyo.Var(b.BANDED, T, bounds=lambda b, k, t: (0, band[k]))
    b.dev_down_mw = pyo.Var(b.BANDED, T, bounds=lambda b, k, t: (0, band[k]))
    b.deviation_start_mwh = ctx.param(b.BANDED)
    up = lambda k, t: b.dev_up_mw[k, t] if k in b.BANDED else 0.0
    down = lambda k, t: b.dev_down_mw[k, t] if k in b.BANDED else 0.0
    # the schedule bounds net export minus the deviation (dev = up − down)
    b.export_limit = pyo.Constraint(b.LINKS, T, rule=lambda b, k, t: b.export_mw[k, t]
                                    - b.import_mw[k, t] - up(k, t) + down(k, t)
                                    <= b.export_max_mw[k, t])
    b.import_limit = pyo.Constraint(b.LINKS, T, rule=lambda b, k, t: b.import_mw[k, t]
                                    <= b.import_max_mw[k, t] + down(k, t))
    limit = table["deviation_limit_mwh"].to_dict()
    # the cumulative deviation after every step, within ±limit at every hour
    b.account_mwh = pyo.Var(b.BANDED, T, bounds=lambda b, k, t: (-limit[k], limit[k]))
    b.deviation_account = pyo.Constraint(b.BANDED, T, rule=lambda b, k, t: b.account_mwh[k, t]
                                         == (b.deviation_start_mwh[k] if t == 0 else
                                             b.account_mwh[k, t - 1])
                                         + dt * (b.dev_up_mw[k, t] - b.dev_down_mw[k, t]))
    dev_cost = table["deviation_cost_cny_per_mwh"].to_dict()
    ctx.add_cost("exchange_deviation", lambda t: dt * pyo.quicksum(
        dev_cost[k] * (b.dev_up_mw[k, t] + b.dev_down_mw[k, t]) for k in b.BANDED),
        penalty=True)
    b.export_cap = pyo.Constraint(b.LINKS, T, rule=lambda b, k, t: b.export_mw[k, t]
                                  <= float(table.at[k, "p_export_max_mw"]))
    b.schedule_min = pyo.Constraint(b.LINKS, T, rule=lambda b, k, t: b.export_mw[k, t]
                                    - b.import_mw[k, t] - up(k, t) + down(k, t)
                                    >= b.net_export_min_mw[k, t])
    keep = (1 - table["loss_pu"]).to_dict()
    ctx.provide("export_link.export_mw", b.export_mw)  # for contracts on a link
    ctx.provide("export_link.import_mw", b.import_mw)
    ctx.add_power(bus_map(table), b.export_mw, sign=-1.0)
    ctx.add_power(bus_map(table), b.import_mw, sign=1.0, coef=keep)
    value = table["export_value_cny_per_mwh"].to_dict()
    price = table["import_price_cny_per_mwh"].to_dict()
    # links with a price profile earn revenue_t = value_t × keep × export_t, the coefficient
    # set per window (`ctx.set_coef`, 1 keeps the entry); the others a constant value
    b.PRICED = pyo.Set(initialize=[k for k in b.LINKS if table.at[k, "export_value_profile"]],
                       ordered=True)
    b.revenue_cny_per_h = pyo.Var(b.PRICED, T, domain=pyo.Reals)
    b.revenue_def = pyo.Constraint(b.PRICED, T, rule=lambda b, k, t: b.revenue_cny_per_h[k, t]
                                   - 1.0 * b.export_mw[k, t] == 0)
    flat = [k for k in b.LINKS if k not in b.PRICED]
    ctx.add_cost("export_revenue", lambda t: -dt * (pyo.quicksum(
        value[k] * keep[k] * b.export_mw[k, t] for k in flat) + pyo.quicksum(
        b.revenue_cny_per_h[k, t] for k in b.PRICED)))
    ctx.add_cost("import_cost", lambda t: dt * pyo.quicksum(
        price[k] * b.import_mw[k, t] for k in b.LINKS))


def hourly_limits(system, table, start: int, n: int):
    """(export max, import max, net export min) MW, each (link × t), from the capacities and
    the schedule profiles (clipped to the capacities)."""
    export_max, import_max, net_min = (np.zeros((len(table), n)) for _ in range(3))
    for i, (_, row) in enumerate(table.iterrows()):
        hi = profile(system, row.schedule_max_profile, start, n) * (
            row.schedule_scale if row.schedule_max_profile else row.p_export_max_mw)
        lo = profile(system, row.schedule_min_profile, start, n) * (
            row.schedule_scale if row.schedule_min_profile else -row.p_import_max_mw)
        # a schedule beyond the link's capacities is clipped to them (never infeasible)
        export_max[i] = np.clip(hi, -row.p_import_max_mw, row.p_export_max_mw)
        import_max[i] = np.minimum(row.p_import_max_mw, np.maximum(0.0, -lo)) \
            if row.schedule_min_profile else row.p_import_max_mw
        net_min[i] = np.clip(lo, -row.p_import_max_mw, export_max[i])
    return export_max, import_max, net_min


def update(b, ctx, start: int, state) -> None:
    table = ctx.system.table(NAME)
    export_max, import_max, net_min = hourly_limits(ctx.system, table, start, ctx.n_steps)
    links = list(table.index)
    ctx.set_param(b.export_max_mw, export_max, links)
    ctx.set_param(b.import_max_mw, import_max, links)
    ctx.set_param(b.net_export_min_mw, net_min, links)
    priced = list(b.PRICED)
    if priced:
        rows = table.loc[priced]
        value = np.array([row.export_value_cny_per_mwh * (1 - row.loss_pu) * profile(
            ctx.system, row.export_value_profile, start, ctx.n_steps) for _, row in
            rows.iterrows()])
        ctx.set_coef(b.revenue_def, b.export_mw, priced, -value)
    banded = list(b.BANDED)
    if banded:
        ctx.set_param(b.deviation_start_mwh, [(state or {}).get(k, 0.0) for k in banded],
                      banded)


def curtailment_roles(ds, system) -> list:
    """A link whose net export is at its hourly maximum (schedule plus band) stands in the
    way: exporting at it, it is a sink (`export_limit` when the link's capacity binds,
    `fixed_exchanges` when a schedule below capacity does); importing at it, the import it
    cannot reduce is forced supply (`fixed_exchanges`)."""

    table = system.table(NAME)
    links = list(table.index)
    export_max, _, _ = hourly_limits(system, table, 0, ds.sizes["time"])
    net = result(ds, "export_link_export_mw", links) - result(ds, "export_link_import_mw", links)
    upper = export_max + table["schedule_band_mw"].to_numpy()[:, None]
    at_upper = net >= upper - AT_LIMIT_TOL_MW
    by_capacity = export_max >= table["p_export_max_mw"].to_numpy()[:, None] - AT_LIMIT_TOL_MW
    out = np.where(at_upper, np.clip(net, 0.0, None), 0.0)
    return [Role("export_limit", SINK, np.where(by_capacity, out, 0.0).sum(axis=0)),
            Role("fixed_exchanges", SINK, np.where(by_capacity, 0.0, out).sum(axis=0)),
            Role("fixed_exchanges", FORCED,
                 np.where(at_upper, np.clip(-net, 0.0, None), 0.0).sum(axis=0))]


def final_state(b, ctx, k: int) -> dict | None:
    """Cumulative deviation from the schedule (MWh) after the committed steps."""
    banded = list(b.BANDED)
    if not banded:
        return None
    account = ctx.values(b.account_mwh, banded)[:, k - 1]
    return {g: float(account[i]) for i, g in enumerate(banded)}


def extract(b, ctx) -> dict:
    links = list(b.LINKS)
    exp = ctx.values(b.export_mw, links)
    imp = ctx.values(b.import_mw, links)
    dev, account = np.zeros_like(exp), np.zeros_like(exp)
    banded = list(b.BANDED)
    if banded:
        rows = [links.index(k) for k in banded]
        dev[rows] = ctx.values(b.dev_up_mw, banded) - ctx.values(b.dev_down_mw, banded)
        account[rows] = ctx.values(b.account_mwh, banded)
    value = ctx.shadow_value(b.export_cap, links)
    bus = ctx.system.table(NAME)["bus"].loc[links].tolist()
    out = {"export_link_export_mw": exp, "export_link_import_mw": imp,
           "export_link_deviation_mw": dev, "export_link_deviation_account_mwh": account,
           "export_link_limit_value_cny_per_mw": value}
    return {k: data_array(k, v, NAME, links, export_link_bus=bus) for k, v in out.items()}
