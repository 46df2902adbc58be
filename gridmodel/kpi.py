"""KPIs from a results Dataset alone (no Pyomo, no solver)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from . import outputs
from .contract_terms import with_terms
from .units import from_symbol


def _mwh(ds: xr.Dataset, name: str, where=None) -> float:
    if name not in ds:
        return 0.0
    da = ds[name]
    if where is not None:
        da = da.where(where, 0.0)
    return float(np.nansum(da.values) * ds.attrs["dt_h"])


def _pct(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole > 0 else 0.0


def _renewable(kind: str, what: str):
    """Available, used or curtailed MWh, or curtailment %, of one renewable kind."""
    def compute(ds: xr.Dataset) -> float:
        avail, used = kind_energy_mwh(ds, kind)
        return {"available": avail, "used": used, "curtailed": avail - used,
                "curtailment": _pct(avail - used, avail)}[what]
    return compute


def kind_energy_mwh(ds: xr.Dataset, kind: str) -> tuple[float, float]:
    """(available, used) MWh of the renewables of one kind (wind, solar)."""
    if "renewable_kind" not in ds.coords:
        return 0.0, 0.0
    mask = ds["renewable_kind"].values == kind
    out = []
    for var in ("renewable_available_mw", "renewable_used_mw"):
        da = ds.variables[var]
        axis = da.dims.index("renewable")
        out.append(float(np.nansum(np.compress(mask, da.values, axis=axis))) * ds.attrs["dt_h"])
    return out[0], out[1]


def absorption_pct(ds: xr.Dataset) -> float:
    """Renewable energy used (local + exported) in % of the available."""
    avail = _mwh(ds, "renewable_available_mw")
    return _pct(_mwh(ds, "renewable_used_mw"), avail) if avail else 100.0


def from_outputs(key: str):
    """A key the outputs declare (Σ of every output with that summary key; 0 = none)."""
    return lambda ds: sum((outputs.total(ds, o) for o in outputs.declared(ds)
                           if o.summary_key == key), 0.0)


@dataclass(frozen=True)
class Kpi:
    """A derived KPI: its key (unit in the name), how to compute it from a results Dataset
    (the year's value; a month's is the same rule on the month's steps, so a percentage
    per month is that month's, never a sum), and where it shows. `compute` returning a
    dict is a family of keys (one per carrier …); None: the run sets it (status, costs,
    times)."""

    key: str
    label: str
    compute: Callable | None = None
    monthly: bool = True        # a column of the Monthly sheet (and monthly figures)
    compare: bool = True        # a row of `gridmodel compare`
    terminal: bool = False      # a row of the terminal summary after `gridmodel run`
    plot: str = ""              # the figure that draws it ("" none; "monthly_curtailment":
                                # one bar per month in that figure, from the Monthly table)
    family: bool = False        # compute returns {key: value} (one per carrier …)

    def year(self, ds: xr.Dataset) -> dict:
        if self.compute is None:
            return {}
        value = self.compute(ds)
        # a family, or a KPI that has nothing to say in this run ({}: no prices, no links)
        return dict(value) if isinstance(value, dict) else {self.key: float(value)}


KPIS = (
    Kpi("status", "solve status", None, False, False, True),
    Kpi("objective_cny", "objective (operating cost + penalties)", None, False, True, True),
    Kpi("operating_cost_cny", "operating cost", None, False, True),
    Kpi("penalty_cost_cny", "penalties (slacks, wind priority)", None, False, True),
    Kpi("load_mwh", "load", from_outputs("load_mwh"), terminal=True),
    Kpi("unserved_energy_mwh", "unserved energy", from_outputs("unserved_energy_mwh"),
        terminal=True),
    Kpi("excess_energy_mwh", "excess energy", from_outputs("excess_energy_mwh")),
    *(Kpi(f"{kind}_{what}_mwh", f"{kind} {what}", _renewable(kind, what))
      for kind in ("wind", "solar") for what in ("available", "used", "curtailed")),
    Kpi("wind_curtailment_pct", "wind curtailment", _renewable("wind", "curtailment"),
        terminal=True, plot="monthly_curtailment"),
    Kpi("solar_curtailment_pct", "solar curtailment", _renewable("solar", "curtailment"),
        terminal=True, plot="monthly_curtailment"),
    Kpi("renewable_absorption_pct", "renewable absorption (local + exported)",
        absorption_pct, terminal=True),
    Kpi("renewable_split", "where wind and solar went: local, exported, curtailed (MWh, %)",
        lambda ds: renewable_split(ds), plot="dispatch", family=True),
    Kpi("thermal_generation_mwh", "thermal generation", from_outputs("thermal_generation_mwh"),
        terminal=True),
    Kpi("hydro_generation_mwh", "hydro generation (plants and hydro rows of thermal)",
        lambda ds: hydro_generation_mwh(ds)),
    Kpi("export_mwh", "export", from_outputs("export_mwh"), terminal=True),
    Kpi("import_mwh", "import", from_outputs("import_mwh"), terminal=True),
    Kpi("co2_t", "CO2", from_outputs("co2_t"), terminal=True),
    Kpi("coal_t", "standard coal", from_outputs("coal_t")),
    Kpi("thermal_starts_count", "unit start-ups", from_outputs("thermal_starts_count")),
    Kpi("reserve_shortfall_mwh", "reserve shortfall", from_outputs("reserve_shortfall_mwh")),
    Kpi("carrier_balance", "every carrier's demand and unserved energy (one pair each)",
        lambda ds: carrier_totals(ds), family=True),
    Kpi("price_mean", "every carrier's demand-weighted mean price",
        lambda ds: price_means(ds), plot="price_duration", family=True),
    Kpi("export_value_at_prices_cny", "exports valued at their bus's price",
        lambda ds: export_value_cny(ds)),
    Kpi("surplus_hours_count", "hours with a price ≤ 0 at a wind bus",
        lambda ds: surplus_hours(ds)),
    Kpi("mip_gap", "largest window gap", None, False, False, True),
    Kpi("solve_time_s", "Σ window solve time", None, False, False, True),
    Kpi("wall_time_s", "wall time", None, False, False, True),
)


def plotted(figure: str) -> list[Kpi]:
    """The registry's plain KPIs a figure draws."""
    return [k for k in KPIS if k.plot == figure and not k.family]


def registry_keys(where: str, shown: bool = True) -> list[str]:
    """Plain keys (not families) of the registry shown (or not) in `where`: compare |
    terminal | monthly."""
    return [k.key for k in KPIS if bool(getattr(k, where)) == shown and not k.family]


def summary(ds: xr.Dataset) -> dict:
    """Flat KPI dictionary with units in every key: every summary key the outputs declare
    (outputs.py), then every derived KPI of the registry (`KPIS`)."""
    out = outputs.summary_totals(ds)
    for k in KPIS:
        out.update(k.year(ds))
    return {k: (round(v, 9) if isinstance(v, float) and math.isfinite(v) else v)
            for k, v in out.items()}


def carrier_totals(ds: xr.Dataset) -> dict:
    """Per carrier besides electricity: `<carrier>_demand_mwh` and its unserved key."""
    out = {}
    for c in outputs.carriers(ds):
        if c["name"] == "electricity":
            continue
        demand = outputs.select(ds, c["name"], ("demand",))
        out[f"{c['name']}_demand_mwh"] = sum(outputs.total(ds, o) for o in demand)
        out[c["unserved_key"]] = _mwh(ds, c["unserved_var"])
    return out


def unserved_events(ds: xr.Dataset, var: str = "bus_unserved_mw", tol: float = 1e-6) -> list:
    """(time, node, MW) where energy (or heat) went unserved, for the report."""
    if var not in ds:
        return []
    da = ds[var]
    node_dim = next(d for d in da.dims if d != "time")
    hits = np.argwhere(da.values > tol)
    return [(str(ds["time"].values[i])[:16], str(da[node_dim].values[j]),
             float(da.values[i, j])) for i, j in hits]


def _prefix(carrier: dict) -> str:
    return "" if carrier["name"] == "electricity" else f"{carrier['name']}_"


def node_demand(ds: xr.Dataset, carrier: dict) -> xr.DataArray | None:
    """(time × node) demand of a carrier: its demand outputs by node (an output's own
    dimension when it is the node dimension, else its `<dim>_<node_dim>` coordinate)."""
    dim, total = carrier["node_dim"], None
    for o in outputs.select(ds, carrier["name"], ("demand",)):
        da = ds[o.var]
        own = next(d for d in da.dims if d != "time")
        if own != dim:
            if f"{own}_{dim}" not in da.coords:
                continue
            da = da.groupby(f"{own}_{dim}").sum().rename({f"{own}_{dim}": dim})
        da = da.reindex({dim: ds[carrier["price_var"]][dim]}, fill_value=0.0)
        total = da if total is None else total + da
    return total


def price_means(ds: xr.Dataset) -> dict:
    """Per carrier: the demand-weighted mean of its node prices (`price_mean_cny_per_mwh`,
    `heat_price_mean_cny_per_mwh_th`, `hydrogen_price_mean_cny_per_mwh_h2` …)."""
    out = {}
    for c in outputs.carriers(ds):
        if c["price_var"] not in ds:
            continue
        weight = node_demand(ds, c)
        if weight is not None:
            unit = c["price_var"].split("_price_", 1)[1]
            out[f"{_prefix(c)}price_mean_{unit}"] = _weighted(ds[c["price_var"]], weight)
    return out


def export_value_cny(ds: xr.Dataset) -> dict:
    if "export_link_bus" not in ds.coords or "bus_price_cny_per_mwh" not in ds:
        return {}
    at_bus = ds["bus_price_cny_per_mwh"].sel(bus=ds["export_link_bus"]).drop_vars(
        "bus", errors="ignore")
    return {"export_value_at_prices_cny": float(
        (ds["export_link_export_mw"] * at_bus).sum()) * ds.attrs["dt_h"]}


def surplus_hours(ds: xr.Dataset) -> dict:
    if "renewable_bus" not in ds.coords or "bus_price_cny_per_mwh" not in ds:
        return {}
    wind_buses = sorted({b for b, k in zip(ds["renewable_bus"].values,
                                           ds["renewable_kind"].values) if k == "wind"})
    if not wind_buses:
        return {}
    low = (ds["bus_price_cny_per_mwh"].sel(bus=wind_buses) <= 1e-6).any("bus")
    return {"surplus_hours_count": float(low.sum()) * ds.attrs["dt_h"]}


def hourly_mean_price(ds: xr.Dataset) -> np.ndarray:
    """System price per hour: bus prices weighted by the bus's load (plain mean without)."""
    price = ds["bus_price_cny_per_mwh"]
    load = node_demand(ds, outputs.carriers(ds)[0])
    if load is None:
        return price.mean("bus").values
    total = load.sum("bus")
    return ((price * load).sum("bus") / total.where(total > 0)).fillna(price.mean("bus")).values


def price_tables(ds: xr.Dataset) -> dict[str, pd.DataFrame]:
    """Monthly mean price by node of every carrier (CNY per its MWh)."""
    out = {}
    for c in outputs.carriers(ds):
        name = c["price_var"]
        if name in ds:
            frame = ds[name].to_pandas()
            table = frame.groupby(frame.index.to_period("M")).mean()
            table.index = table.index.astype(str)
            table.index.name = "month"
            out[name] = table
    return out


def _weighted(price: xr.DataArray, weight: xr.DataArray) -> float:
    total = float(weight.sum())
    return float((price * weight).sum()) / total if total > 0 else math.nan


def hydro_generation_mwh(ds: xr.Dataset) -> float:
    """Hydro plants plus thermal rows of kind "hydro" (hydro units modelled as thermal)."""
    hydro_gens = ds["thermal_p_mw"].where(ds["thermal_kind"] == "hydro", 0.0) \
        if "thermal_kind" in ds.coords else None
    return _mwh(ds, "hydro_generation_mw") + (
        float(hydro_gens.sum()) * ds.attrs["dt_h"] if hydro_gens is not None else 0.0)


def _hourly_total(ds: xr.Dataset, name: str) -> np.ndarray:
    return outputs.hourly(ds, name)


def hourly_by_role(ds: xr.Dataset, carrier: str, roles) -> np.ndarray:
    """Σ of every declared output of `carrier` in `roles`, per hour."""
    return sum((outputs.hourly(ds, o.var) for o in outputs.select(ds, carrier, roles)),
               np.zeros(ds.sizes["time"]))


def renewable_split_hourly(ds: xr.Dataset) -> dict[str, np.ndarray]:
    """Where available wind and solar went, per hour (MW): local use, export, curtailment.

    Attribution rule: exports draw on the hour's supply mix in proportion, so the exported
    part of renewable output = used × net export / (domestic generation + imports)."""
    supply = hourly_by_role(ds, "electricity", outputs.SUPPLY_ROLES)
    net_export = np.maximum(hourly_by_role(ds, "electricity", ("export",))
                            - hourly_by_role(ds, "electricity", ("import",)), 0.0)
    used = _hourly_total(ds, "renewable_used_mw")
    share = np.divide(net_export, supply, out=np.zeros_like(supply), where=supply > 0)
    exported = used * np.minimum(share, 1.0)
    return {"local_mw": used - exported, "exported_mw": exported,
            "curtailed_mw": _hourly_total(ds, "renewable_curtailed_mw")}


def renewable_split(ds: xr.Dataset) -> dict:
    dt = ds.attrs["dt_h"]
    split = {k: float(v.sum() * dt) for k, v in renewable_split_hourly(ds).items()}
    total = sum(split.values())
    out = {"renewable_local_mwh": split["local_mw"],
           "renewable_exported_mwh": split["exported_mw"],
           "renewable_curtailed_mwh": split["curtailed_mw"]}
    for key in list(out):
        out[key.replace("_mwh", "_pct")] = _pct(out[key], total)
    return out


def monthly(ds: xr.Dataset) -> pd.DataFrame:
    """Monthly table: every declared energy with a summary key (MWh per month), then every
    registry KPI marked `monthly`, computed by its own rule on the month's steps."""
    dt = ds.attrs["dt_h"]
    times = pd.DatetimeIndex(ds["time"].values)
    frame = pd.DataFrame(index=times)
    for o in outputs.declared(ds):
        unit = from_symbol(str(ds[o.var].attrs.get("units", "")))
        if o.summary_key and unit.kind == "power" and o.role not in ("level", "price"):
            frame[o.summary_key] = frame.get(o.summary_key, 0.0) + _hourly_total(ds, o.var) * dt
    table = frame.groupby(times.to_period("M")).sum()
    months = pd.Series(np.arange(len(times)), index=times).groupby(times.to_period("M"))
    rows = {month: _month_kpis(ds if len(steps) == len(times) else ds.isel(
        time=steps.to_numpy())) for month, steps in months}
    table = table.join(pd.DataFrame.from_dict(rows, orient="index"), rsuffix="_kpi")
    table = table.drop(columns=[c for c in table if c.endswith("_kpi")])
    table.index = table.index.astype(str)
    table.index.name = "month"
    return table


def _month_kpis(month: xr.Dataset) -> dict:
    out = {}
    for k in KPIS:
        if k.monthly:
            out.update(k.year(month))
    return out


SPLIT_COLUMNS = ("renewable_local_mwh", "renewable_exported_mwh", "renewable_curtailed_mwh")


def monthly_split(ds: xr.Dataset) -> dict[str, dict[str, float]]:
    """Where the available wind and solar went, per month (MWh): {month: {column: value}}."""
    table = monthly(ds)
    cols = [c for c in SPLIT_COLUMNS if c in table]
    return {month: {c: float(row[c]) for c in cols} for month, row in table[cols].iterrows()}


def export_links(ds: xr.Dataset, system) -> dict:
    """Per export link: exported and imported energy, revenue (export × value × (1 − loss)),
    renewable share of the exports and, with a contract, the net export per month against
    its minimum and maximum. Renewable share: with renewables dedicated to the link (a
    bundled-export contract), min(export, their output) hour by hour, the rule its
    constraint uses; otherwise every MW exported carries the hour's supply mix (the rule of
    `renewable_split_hourly`)."""
    if "export_link_export_mw" not in ds:
        return {}
    table, dt = system.table("export_link"), ds.attrs["dt_h"]
    supply = hourly_by_role(ds, "electricity", outputs.SUPPLY_ROLES)
    mix = np.divide(_hourly_total(ds, "renewable_used_mw"), supply,
                    out=np.zeros_like(supply), where=supply > 0)
    contracts = with_terms(system.table("export_contract"))
    out = {}
    for link in ds["export_link"].values:
        exp = ds["export_link_export_mw"].sel(export_link=link).values
        imp = ds["export_link_import_mw"].sel(export_link=link).values
        row = table.loc[link]
        sent = float(exp.sum() * dt)
        rows = contracts[contracts["link"] == link] if len(contracts) else contracts
        renewable = exp * np.minimum(mix, 1.0)
        if len(rows) and str(rows.iloc[0].renewable_assets or "").strip():
            renewable = np.minimum(exp, _dedicated_mw(ds, rows.iloc[0].renewable_assets))
        out[str(link)] = {
            "export_mwh": sent, "import_mwh": float(imp.sum() * dt),
            "revenue_cny": float((exp * _value_cny_per_mwh(system, row, len(exp))).sum() * dt),
            "renewable_share_pct": _pct(float(renewable.sum() * dt), sent)}
        if len(rows):
            out[str(link)]["contract_by_month"] = _contract_months(ds, exp - imp, rows.iloc[0])
    return out


def _value_cny_per_mwh(system, row, n: int) -> np.ndarray:
    """What a sent MWh earns each hour: value × (1 − loss) × the price-period profile."""
    name = str(row.get("export_value_profile", "") or "")
    shape = np.asarray(system.series(name, 0, n), dtype=float) if name else np.ones(n)
    return float(row.export_value_cny_per_mwh * (1 - row.loss_pu)) * shape


def _dedicated_mw(ds, names: str) -> np.ndarray:
    """Used output of the renewables a bundled-export contract names (dedicated first)."""
    assets = [a.strip() for a in names.split(";") if a.strip()]
    return ds["renewable_used_mw"].sel(renewable=assets).sum("renewable").values


def _contract_months(ds, net_mw, contract) -> dict:
    frame = pd.Series(net_mw * ds.attrs["dt_h"], index=pd.DatetimeIndex(ds["time"].values))
    months = frame.groupby(frame.index.strftime("%Y-%m")).sum()
    return {m: {"net_export_mwh": float(v), "min_mwh": float(contract.month_min_mwh),
                "max_mwh": float(contract.month_max_mwh),
                "shortfall_mwh": max(0.0, float(contract.month_min_mwh) - float(v))}
            for m, v in months.items()}
