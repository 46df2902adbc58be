"""PNG figures of a run: dispatch stack with curtailment, one balance per other carrier
(heat, hydrogen …), monthly curtailment,
load and net-load duration curves. Titles, axes and units on every figure."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import attribution, kpi, outputs
from .errors import InputError


def week_start_of(ds, week_start: str | None) -> pd.Timestamp:
    """The first time of the week to show: a YYYY-MM-DD date inside the run."""

    times = pd.DatetimeIndex(ds["time"].values)
    if not week_start:
        return times[0]
    try:
        start = pd.Timestamp(week_start)
    except (ValueError, TypeError):
        raise InputError("--week", week_start, "not a date", "YYYY-MM-DD") from None
    if start.tzinfo is not None or not times[0].normalize() <= start <= times[-1]:
        raise InputError("--week", week_start, "outside the run",
                         f"a date from {times[0]:%Y-%m-%d} to {times[-1]:%Y-%m-%d}")
    return start


def _week(ds, week_start: str | None) -> slice:
    times = pd.DatetimeIndex(ds["time"].values)
    i = int(np.searchsorted(times, week_start_of(ds, week_start)))
    return slice(i, min(i + 168, len(times)))


def dispatch(ds, path: Path, week_start: str | None = None) -> Path:
    sel = _week(ds, week_start)
    t = pd.DatetimeIndex(ds["time"].values)[sel]
    split = {k: v[sel] for k, v in kpi.renewable_split_hourly(ds).items()}
    supply = outputs.select(ds, "electricity", outputs.SUPPLY_ROLES)
    layers, colours = _layers(ds, supply, sel)
    fig, ax = plt.subplots(figsize=(12, 5))
    ax.stackplot(t, *layers.values(), labels=list(layers), colors=colours, alpha=0.85)
    top = sum(layers.values())
    ax.fill_between(t, top, top + split["curtailed_mw"], color="red", alpha=0.35,
                    label="curtailed wind+solar")
    load = kpi.hourly_by_role(ds, "electricity", ("demand",))[sel]
    use = load + kpi.hourly_by_role(ds, "electricity", ("export", "consumption",
                                                          "storage_in"))[sel]
    ax.plot(t, load, color="black", lw=1.2, label="load")
    ax.plot(t, use, color="black", lw=1.0, ls="--", label="load + export + charging/conversion")
    ax.set(title=f"Dispatch, week from {t[0]:%Y-%m-%d}", xlabel="time (CST)", ylabel="MW")
    ax.legend(loc="upper left", ncol=3, fontsize=8)
    return _save(fig, path)


SINK_ROLES = ("storage_in", "consumption", "export")


def balance(ds, carrier: dict, path: Path, week_start: str | None = None) -> Path:
    """A carrier's balance over a week, all nodes: supply stacked above zero (generation,
    store discharge, imports, unserved), what draws on it stacked below zero (store
    charging, conversion, exports), and its demand as a line."""
    sel = _week(ds, week_start)
    t = pd.DatetimeIndex(ds["time"].values)[sel]
    name, unit = carrier["name"], carrier["power_unit"]
    supply, colours = _layers(ds, outputs.select(ds, name, outputs.SUPPLY_ROLES + ("slack",)),
                              sel)
    sinks, sink_colours = _layers(ds, outputs.select(ds, name, SINK_ROLES), sel)
    fig, ax = plt.subplots(figsize=(12, 5))
    if supply:
        ax.stackplot(t, *supply.values(), labels=list(supply), colors=colours, alpha=0.85)
    if sinks:
        ax.stackplot(t, *[-v for v in sinks.values()], labels=[f"{k} (drawing)" for k in sinks],
                     colors=sink_colours, alpha=0.45, hatch="//")
    ax.plot(t, kpi.hourly_by_role(ds, name, ("demand",))[sel], color="black", lw=1.2,
            label=f"{carrier['label'].lower()} demand")
    ax.axhline(0.0, color="grey", lw=0.6)
    ax.set(title=f"{carrier['label']} balance, all nodes, week from {t[0]:%Y-%m-%d}",
           xlabel="time (CST)", ylabel=f"{unit} (below 0: drawn from the carrier)")
    ax.legend(loc="upper left", ncol=3, fontsize=8)
    return _save(fig, path)


def _layers(ds, declared: list, sel: slice) -> tuple[dict, list]:
    """Stack layers from declared outputs, one per label (same label = one layer)."""
    layers, colours = {}, {}
    for o in declared:
        name = o.label or o.var
        layers[name] = layers.get(name, 0.0) + kpi._hourly_total(ds, o.var)[sel]
        colours.setdefault(name, o.colour or None)
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    return layers, [c or cycle[i % len(cycle)] for i, c in enumerate(colours.values())]


def monthly_curtailment(ds, path: Path) -> Path:
    """One bar per month for every KPI the registry draws here (wind and solar curtailment
    in % of the available), side by side."""
    table = kpi.monthly(ds)
    drawn = [k for k in kpi.plotted("monthly_curtailment") if k.key in table]
    fig, ax = plt.subplots(figsize=(9, 4))
    x, width = np.arange(len(table)), 0.8 / max(len(drawn), 1)
    for i, k in enumerate(drawn):
        ax.bar(x + (i - (len(drawn) - 1) / 2) * width, table[k.key], width, label=k.label)
    ax.set(title="Monthly curtailment", xlabel="month", ylabel="% of the available energy",
           xticks=x, xticklabels=list(table.index))
    ax.tick_params(axis="x", rotation=45)
    if drawn:
        ax.legend(fontsize=8)
    return _save(fig, path)


def duration_curves(ds, path: Path) -> Path:
    load = kpi._hourly_total(ds, "load_demand_mw")
    renew = kpi._hourly_total(ds, "renewable_available_mw")
    hours = np.arange(1, len(load) + 1) * ds.attrs["dt_h"]
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.plot(hours, np.sort(load)[::-1], label="load")
    ax.plot(hours, np.sort(load - renew)[::-1], label="net load (load − available wind+solar)")
    ax.set(title="Load and net-load duration curves", xlabel="hours", ylabel="MW")
    ax.legend()
    return _save(fig, path)


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def all_figures(ds, folder: Path, week_start: str | None = None) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [dispatch(ds, folder / "dispatch_week.png", week_start)]
    paths += [balance(ds, c, folder / f"{c['name']}_week.png", week_start)
              for c in outputs.carriers(ds) if c["name"] != "electricity"]
    paths += [monthly_curtailment(ds, folder / "monthly_curtailment.png"),
              duration_curves(ds, folder / "duration_curves.png")]
    if "bus_price_cny_per_mwh" in ds:
        paths.append(prices(ds, folder / "prices.png", week_start))
    if attribution.OUTPUT.var in ds:
        paths.append(curtailment_causes(ds, folder / "curtailment_causes.png"))
    return paths


def curtailment_causes(ds, path: Path) -> Path:
    """Stacked monthly bars of curtailed wind and solar by cause (GWh)."""
    table = attribution.monthly_table(ds) / 1e3
    table = table.loc[:, table.sum() > 0]
    fig, ax = plt.subplots(figsize=(9, 4))
    bottom = np.zeros(len(table))
    for cause in table.columns:
        ax.bar(table.index, table[cause], bottom=bottom, label=cause)
        bottom += table[cause].to_numpy()
    ax.set(title="Curtailment by cause", xlabel="month", ylabel="GWh")
    ax.tick_params(axis="x", rotation=45)
    if len(table.columns):
        ax.legend(fontsize=8)
    return _save(fig, path)


def prices(ds, path: Path, week_start: str | None = None) -> Path:
    """Price duration curve (load-weighted system price) and a week of nodal prices."""
    system = kpi.hourly_mean_price(ds)
    hours = np.arange(1, len(system) + 1) * ds.attrs["dt_h"]
    sel = _week(ds, week_start)
    t = pd.DatetimeIndex(ds["time"].values)[sel]
    fig, (left, right) = plt.subplots(1, 2, figsize=(14, 4.5))
    left.plot(hours, np.sort(system)[::-1], color="tab:blue")
    left.set(title="Price duration curve (load-weighted)", xlabel="hours", ylabel="CNY/MWh")
    for bus in ds["bus"].values:
        right.plot(t, ds["bus_price_cny_per_mwh"].sel(bus=bus).values[sel], lw=1, label=bus)
    right.set(title=f"Nodal prices, week from {t[0]:%Y-%m-%d}", xlabel="time (CST)",
              ylabel="CNY/MWh")
    right.legend(fontsize=7, ncol=3)
    return _save(fig, path)


def merit_order_chart(table, path: Path, size_label: str = "size") -> Path:
    """Per option and size: avoided curtailment per size unit, and the change of operating
    cost and of total cost (incl. slack penalties) per avoided MWh (separate scales)."""
    rows = table[table["avoided_mwh_per_size_unit"].notna()]
    y = np.arange(len(rows))
    panels = (("avoided_mwh_per_size_unit", "Avoided curtailment per size unit",
               f"MWh per {size_label}", "tab:green"),
              ("operating_cost_change_cny_per_avoided_mwh",
               "Operating cost change per avoided MWh", "CNY/MWh", "tab:blue"),
              ("cost_change_cny_per_avoided_mwh",
               "Total cost change (incl. penalties) per avoided MWh", "CNY/MWh", "tab:gray"),
              ("net_benefit_cny", "Net benefit (saving − annualised capex)", "CNY",
               "tab:orange"))
    panels = tuple(p for p in panels if p[0] in rows)
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 1.5 + 0.45 * max(len(rows), 2)), sharey=True)
    for ax, (column, title, unit, color) in zip(axes, panels):
        ax.barh(y, rows[column].fillna(0), color=color)
        ax.set(title=title, xlabel=unit)
    axes[0].set(yticks=y, yticklabels=rows["label"].astype(str))
    return _save(fig, path)
