"""Output registry: what each result variable means, declared once by its technology.

A technology lists its outputs (`OUTPUTS = (Output(...), ...)`); the core stamps these
declarations as attributes on the result arrays, so everything downstream (KPIs, plots,
workbook, compare) reads them from the Dataset alone and a new technology appears
everywhere without another edit.

Roles: generation (electric or heat supply), consumption (demand of a converter or store),
demand (fixed demand), storage_out / storage_in (store discharge / charge), import / export
(exchange with outside the modelled system), slack (unserved or excess, penalised), level
(state: store content), price (dual of a balance: CNY per MWh), detail (a breakdown of another output: counted in its own summary key
but never in balances), quantity (tonnes, counts: summed without dt_h).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import xarray as xr

from .units import from_symbol

ROLES = ("generation", "consumption", "demand", "storage_out", "storage_in", "import",
         "export", "slack", "level", "detail", "quantity", "price")
SUPPLY_ROLES = ("generation", "storage_out", "import")
FLOW_ROLES = ("demand", "generation", "storage_out", "import", "export", "consumption",
              "storage_in", "slack")  # flows into or out of a carrier's balance
ATTRS = ("carrier", "role", "summary_key", "label", "colour")


@dataclass(frozen=True)
class Output:
    var: str                      # result variable, unit in its name (…_mw, …_mw_th, …_t)
    carrier: str                  # electricity | heat | coal | co2 | …
    role: str                     # one of ROLES
    summary_key: str = ""         # summary.json key (…_mwh for power, …_t, …_count)
    label: str = ""               # legend / sheet label
    colour: str = ""              # plot colour ("" = matplotlib's cycle)

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"{self.var}: role {self.role!r} not one of {ROLES}")

    def stamp(self, da: xr.DataArray) -> xr.DataArray:
        da.attrs.update({k: getattr(self, k) for k in ATTRS})
        return da


def declared(ds: xr.Dataset) -> list[Output]:
    """The outputs of a results Dataset, from the attributes the core stamped."""
    out = []
    for name in ds.data_vars:
        attrs = ds.variables[name].attrs  # the Variable's: no DataArray built per name
        if "role" in attrs and "carrier" in attrs:
            out.append(Output(name, **{k: str(attrs.get(k, "")) for k in ATTRS}))
    return out


def select(ds: xr.Dataset, carrier: str | None = None, roles=None) -> list[Output]:
    return [o for o in declared(ds) if (carrier is None or o.carrier == carrier)
            and (roles is None or o.role in roles)]


def hourly(ds: xr.Dataset, name: str) -> np.ndarray:
    """Sum over every dim but time."""
    if name not in ds:
        return np.zeros(ds.sizes["time"])
    da = ds[name]
    return da.sum([d for d in da.dims if d != "time"]).values


def total(ds: xr.Dataset, output: Output) -> float:
    """A summary value by its unit class: energy (Σ power × dt_h) for a power of any
    carrier, a plain sum for quantities; NaN for what does not add up (prices, levels)."""
    var = ds.variables[output.var]
    unit = from_symbol(str(var.attrs.get("units", "")))
    if unit.kind == "intensive" or output.role in ("level", "price"):
        return float("nan")
    return unit.total(float(np.nansum(var.values)), ds.attrs["dt_h"])


def summary_totals(ds: xr.Dataset) -> dict[str, float]:
    """Every declared summary key with its total (keys shared by outputs are added up)."""
    out: dict[str, float] = {}
    for o in declared(ds):
        if o.summary_key:
            out[o.summary_key] = out.get(o.summary_key, 0.0) + total(ds, o)
    return out


def carriers(ds: xr.Dataset) -> list[dict]:
    """The carriers a run balanced (name, label, node_dim, power/energy unit, price_var,
    unserved_var, unserved_key), from the results' `carriers` attribute; files written
    before it get electricity and, where they have heat zones, heat."""
    if "carriers" in ds.attrs:
        return json.loads(ds.attrs["carriers"])
    out = [{"name": "electricity", "label": "Electricity", "node_dim": "bus",
            "power_unit": "MW", "energy_unit": "MWh", "price_var": "bus_price_cny_per_mwh",
            "unserved_var": "bus_unserved_mw", "unserved_key": "unserved_energy_mwh"}]
    if "heat_zone_unserved_mw_th" in ds:
        out.append({"name": "heat", "label": "Heat", "node_dim": "heat_zone",
                    "power_unit": "MW_th", "energy_unit": "MWh_th",
                    "price_var": "heat_zone_price_cny_per_mwh_th",
                    "unserved_var": "heat_zone_unserved_mw_th",
                    "unserved_key": "unserved_heat_mwh"})
    return out
