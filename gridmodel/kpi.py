"""KPIs from a results Dataset alone (no Pyomo, no solver)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import xarray as xr


def _mwh(ds: xr.Dataset, name: str, where=None) -> float:
    if name not in ds:
        return 0.0
    da = ds[name]
    if where is not None:
        da = da.where(where, 0.0)
    return float(np.nansum(da.values) * ds.attrs["dt_h"])


def _pct(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole > 0 else 0.0


def _sum(ds, name) -> float:
    return float(np.nansum(ds[name].values)) if name in ds else 0.0


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


def summary(ds: xr.Dataset) -> dict:
    """Flat KPI dictionary with units in every key."""
    out = {"load_mwh": _mwh(ds, "load_demand_mw"),
           "unserved_energy_mwh": _mwh(ds, "bus_unserved_mw"),
           "excess_energy_mwh": _mwh(ds, "bus_excess_mw")}
    out.update(renewable_kpis(ds))
    out.update(renewable_split(ds))
    out["thermal_generation_mwh"] = _mwh(ds, "thermal_p_mw")
    out["export_mwh"] = _mwh(ds, "export_link_export_mw")
    out["import_mwh"] = _mwh(ds, "export_link_import_mw")
    out["co2_t"] = _sum(ds, "thermal_co2_t")
    out["coal_t"] = _sum(ds, "thermal_coal_t")
    out["thermal_starts_count"] = _sum(ds, "thermal_startup_count")
    out["reserve_shortfall_mwh"] = _mwh(ds, "reserve_shortfall_mw")
    out.update(heat_and_storage_kpis(ds))
    out["coal_t"] += _sum(ds, "heat_boiler_coal_t")
    out["co2_t"] += _sum(ds, "heat_boiler_co2_t")
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


HEAT_AND_STORAGE = {  # summary key -> results variable (MW or MW_th, summed × dt_h)
    "heat_demand_mwh": "heat_zone_demand_mw_th",
    "unserved_heat_mwh": "heat_zone_unserved_mw_th",
    "chp_heat_mwh": "chp_heat_mw_th",
    "chp_electric_mwh": "chp_p_mw",
    "heat_boiler_mwh": "heat_boiler_heat_mw_th",
    "electric_boiler_heat_mwh": "electric_boiler_heat_mw_th",
    "electric_boiler_consumption_mwh": "electric_boiler_consumption_mw",
    "heat_pump_heat_mwh": "heat_pump_heat_mw_th",
    "heat_pump_consumption_mwh": "heat_pump_consumption_mw",
    "heat_storage_discharge_mwh": "heat_storage_discharge_mw_th",
    "battery_discharge_mwh": "battery_discharge_mw",
    "battery_charge_mwh": "battery_charge_mw",
    "pumped_hydro_generation_mwh": "pumped_hydro_generation_mw",
    "pumped_hydro_pump_mwh": "pumped_hydro_pump_mw",
}


def heat_and_storage_kpis(ds: xr.Dataset) -> dict:
    out = {key: _mwh(ds, var) for key, var in HEAT_AND_STORAGE.items()}
    hydro_gens = ds["thermal_p_mw"].where(ds["thermal_kind"] == "hydro", 0.0) \
        if "thermal_kind" in ds.coords else None
    out["hydro_generation_mwh"] = _mwh(ds, "hydro_generation_mw") + (
        float(hydro_gens.sum()) * ds.attrs["dt_h"] if hydro_gens is not None else 0.0)
    return out


GENERATION_VARS = ("thermal_p_mw", "renewable_used_mw", "hydro_generation_mw",
                   "pumped_hydro_generation_mw", "battery_discharge_mw")


def _hourly_total(ds: xr.Dataset, name: str) -> np.ndarray:
    if name not in ds:
        return np.zeros(ds.sizes["time"])
    da = ds[name]
    return da.sum([d for d in da.dims if d != "time"]).values


def renewable_split_hourly(ds: xr.Dataset) -> dict[str, np.ndarray]:
    """Where available wind and solar went, per hour (MW): local use, export, curtailment.

    Attribution rule: exports draw on the hour's supply mix in proportion, so the exported
    part of renewable output = used × net export / (domestic generation + imports)."""
    supply = sum(_hourly_total(ds, v) for v in GENERATION_VARS) + _hourly_total(
        ds, "export_link_import_mw")
    net_export = np.maximum(_hourly_total(ds, "export_link_export_mw")
                            - _hourly_total(ds, "export_link_import_mw"), 0.0)
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
    for key, var in (("export_mwh", "export_link_export_mw"),
                     ("import_mwh", "export_link_import_mw"),
                     ("thermal_generation_mwh", "thermal_p_mw"),
                     ("heat_demand_mwh", "heat_zone_demand_mw_th"),
                     ("chp_heat_mwh", "chp_heat_mw_th"),
                     ("heat_boiler_mwh", "heat_boiler_heat_mw_th"),
                     ("electric_boiler_heat_mwh", "electric_boiler_heat_mw_th"),
                     ("heat_pump_heat_mwh", "heat_pump_heat_mw_th"),
                     ("heat_storage_discharge_mwh", "heat_storage_discharge_mw_th"),
                     ("unserved_heat_mwh", "heat_zone_unserved_mw_th")):
        if var in ds:
            frame[key] = _hourly_total(ds, var) * dt
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
