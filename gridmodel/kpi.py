"""KPIs from a results Dataset alone (no Pyomo, no solver)."""

from __future__ import annotations

import math

import numpy as np
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
    node_dim = [d for d in da.dims if d != "time"][0]
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
