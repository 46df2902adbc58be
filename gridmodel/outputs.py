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

from dataclasses import dataclass

import numpy as np
import xarray as xr

from .units import is_power

ROLES = ("generation", "consumption", "demand", "storage_out", "storage_in", "import",
         "export", "slack", "level", "detail", "quantity", "price")
SUPPLY_ROLES = ("generation", "storage_out", "import")
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
    for name, da in ds.data_vars.items():
        if "role" in da.attrs and "carrier" in da.attrs:
            out.append(Output(name, **{k: str(da.attrs.get(k, "")) for k in ATTRS}))
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
    """A summary value: energy (Σ MW × dt_h) for power outputs, a plain sum otherwise."""
    values = float(np.nansum(ds[output.var].values))
    unit = str(ds[output.var].attrs.get("units", ""))
    return values * ds.attrs["dt_h"] if is_power(unit) else values


def summary_totals(ds: xr.Dataset) -> dict[str, float]:
    """Every declared summary key with its total (keys shared by outputs are added up)."""
    out: dict[str, float] = {}
    for o in declared(ds):
        if o.summary_key:
            out[o.summary_key] = out.get(o.summary_key, 0.0) + total(ds, o)
    return out
