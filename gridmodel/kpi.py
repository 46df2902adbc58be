"""KPIs from a results Dataset alone (no Pyomo, no solver)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import xarray as xr

from . import outputs
from .contract_terms import with_terms


def _mwh(ds: xr.Dataset, name: str, where=None) -> float:
    if name not in ds:
        return 0.0
    da = ds[name]
    if where is not None:
        da = da.where(where, 0.0)
    return float(np.nansum(da.values) * ds.attrs["dt_h"])


def _pct(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole > 0 else 0.0


def renewable_kpis(ds: xr.Dataset) -> dict:
    out = {}
    used_all = avail_all = 0.0
    for kind in ("wind", "solar"):
        mask = ds["renewable_kind"] == kind if "renewable_kind" in ds.coords else None
        avail = _mwh(ds, "renewable_available_mw", mask) if mask is not None else 0.0
        used = _mwh(ds, "renewable_used_mw", mask) if mask is not None else 0.0
        out[f"{kind}_available_mwh"] = avail
        out[f"{kind}_used_mwh"] = used
        out[f"{kind}_curtailed_mwh"] = avail - used
        out[f"{kind}_curtailment_pct"] = _pct(avail - used, avail)
        used_all, avail_all = used_all + used, avail_all + avail
    out["renewable_absorption_pct"] = _pct(used_all, avail_all) if avail_all else 100.0
    return out


# reported even when no technology in the run declares them (0 = none)
ALWAYS = ("load_mwh", "unserved_energy_mwh", "excess_energy_mwh", "thermal_generation_mwh",
          "export_mwh", "import_mwh", "co2_t", "coal_t", "thermal_starts_count",
          "reserve_shortfall_mwh", "heat_demand_mwh", "unserved_heat_mwh")


def summary(ds: xr.Dataset) -> dict:
    """Flat KPI dictionary with units in every key: every summary key the outputs declare
    (outputs.py), wind/solar curtailment and where renewables went, hydro energy."""
    out = dict.fromkeys(ALWAYS, 0.0)
    out.update(outputs.summary_totals(ds))
    out.update(renewable_kpis(ds))
    out.update(renewable_split(ds))
    out["hydro_generation_mwh"] = hydro_generation_mwh(ds)
    out.update(price_kpis(ds))
    return {k: (round(v, 9) if isinstance(v, float) and math.isfinite(v) else v)
            for k, v in out.items()}


def unserved_events(ds: xr.Dataset, var: str = "bus_unserved_mw", tol: float = 1e-6) -> list:
    """(time, node, MW) where energy (or heat) went unserved, for the report."""
    if var not in ds:
        return []
    da = ds[var]
    node_dim = next(d for d in da.dims if d != "time")
    hits = np.argwhere(da.values > tol)
    return [(str(ds["time"].values[i])[:16], str(da[node_dim].values[j]),
             float(da.values[i, j])) for i, j in hits]


def price_kpis(ds: xr.Dataset) -> dict:
    """Load-weighted mean nodal price, demand-weighted mean heat price, hours with a price
    ≤ 0 at a wind bus (surplus hours) and exports valued at their bus's price."""
    if "bus_price_cny_per_mwh" not in ds:
        return {}
    price = ds["bus_price_cny_per_mwh"]
    out = {}
    if "load_bus" in ds.coords:
        load = ds["load_demand_mw"].groupby("load_bus").sum().rename(load_bus="bus")
        load = load.reindex(bus=price["bus"], fill_value=0.0)
        out["price_mean_cny_per_mwh"] = _weighted(price, load)
    if "heat_zone_price_cny_per_mwh_th" in ds:
        out["heat_price_mean_cny_per_mwh_th"] = _weighted(
            ds["heat_zone_price_cny_per_mwh_th"], ds["heat_zone_demand_mw_th"])
    if "export_link_bus" in ds.coords:
        at_bus = price.sel(bus=ds["export_link_bus"]).drop_vars("bus", errors="ignore")
        out["export_value_at_prices_cny"] = float(
            (ds["export_link_export_mw"] * at_bus).sum()) * ds.attrs["dt_h"]
    if "renewable_bus" in ds.coords:
        wind_buses = sorted({b for b, k in zip(ds["renewable_bus"].values,
                                               ds["renewable_kind"].values) if k == "wind"})
        if wind_buses:
            low = (price.sel(bus=wind_buses) <= 1e-6).any("bus")
            out["surplus_hours_count"] = float(low.sum()) * ds.attrs["dt_h"]
    return out


def hourly_mean_price(ds: xr.Dataset) -> np.ndarray:
    """System price per hour: bus prices weighted by the bus's load (plain mean without)."""
    price = ds["bus_price_cny_per_mwh"]
    if "load_bus" not in ds.coords:
        return price.mean("bus").values
    load = ds["load_demand_mw"].groupby("load_bus").sum().rename(load_bus="bus").reindex(
        bus=price["bus"], fill_value=0.0)
    total = load.sum("bus")
    return ((price * load).sum("bus") / total.where(total > 0)).fillna(price.mean("bus")).values


def price_tables(ds: xr.Dataset) -> dict[str, pd.DataFrame]:
    """Monthly mean price by bus (CNY/MWh) and heat price by zone (CNY/MWh_th)."""
    out = {}
    for name in ("bus_price_cny_per_mwh", "heat_zone_price_cny_per_mwh_th"):
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
    """Monthly energy table (MWh, %): wind/solar, split, exchange and heat by source."""

    dt = ds.attrs["dt_h"]
    frame = pd.DataFrame(index=pd.DatetimeIndex(ds["time"].values))
    wind = ds["renewable_kind"] == "wind" if "renewable_kind" in ds.coords else None
    if wind is not None:
        frame["wind_available_mwh"] = ds["renewable_available_mw"].where(wind, 0).sum(
            "renewable").values * dt
        frame["wind_curtailed_mwh"] = ds["renewable_curtailed_mw"].where(wind, 0).sum(
            "renewable").values * dt
    for key, values in renewable_split_hourly(ds).items():
        frame[f"renewable_{key.replace('_mw', '_mwh')}"] = values * dt
    for o in outputs.declared(ds):  # every declared energy with a summary key
        if o.summary_key.endswith("_mwh") and o.role not in ("level", "quantity"):
            column = frame.get(o.summary_key, 0.0)
            frame[o.summary_key] = column + _hourly_total(ds, o.var) * dt
    table = frame.groupby(frame.index.to_period("M")).sum()
    if "wind_available_mwh" in table:
        avail = table["wind_available_mwh"].where(table["wind_available_mwh"] > 0)
        table["wind_curtailment_pct"] = (100 * table["wind_curtailed_mwh"] / avail).fillna(0.0)
    table.index = table.index.astype(str)
    table.index.name = "month"
    return table


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
