"""Results: one xarray.Dataset per run (time × asset, units on every variable); NetCDF I/O."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .errors import InputError
from .model.carrier import ELECTRICITY_DECLARATION, Carrier
from .outputs import Output, declared
from .units import units_of


def core_arrays(values: dict, system) -> dict[str, xr.DataArray]:
    """Bus and branch series from the core's solved values (bus × time arrays)."""
    buses = list(system.network.buses)
    out = {}
    for name in ("unserved_mw", "excess_mw", "net_injection_mw"):
        out[f"bus_{name}"] = xr.DataArray(values[name].T, dims=("time", "bus"),
                                          coords={"bus": buses}, name=f"bus_{name}",
                                          attrs={"units": units_of(name)})
    ptdf = system.network.ptdf
    if len(ptdf):
        flows = ptdf.to_numpy() @ values["net_injection_mw"]
        out["branch_flow_mw"] = xr.DataArray(flows.T, dims=("time", "branch"),
                                             coords={"branch": list(ptdf.index)},
                                             attrs={"units": "MW"})
        rating = system.network.rating_mw.to_numpy()
        out["branch_rating_mw"] = xr.DataArray(rating, dims=("branch",),
                                               coords={"branch": list(ptdf.index)},
                                               attrs={"units": "MW"})
    if "price_cny_per_mwh" in values:
        out["bus_price_cny_per_mwh"] = xr.DataArray(
            values["price_cny_per_mwh"].T, dims=("time", "bus"), coords={"bus": buses},
            attrs={"units": "CNY/MWh"})
    if "reserve_price_cny_per_mw" in values:
        out["reserve_price_cny_per_mw"] = xr.DataArray(
            values["reserve_price_cny_per_mw"], dims=("time",), attrs={"units": "CNY/MW/h"})
    for carrier, c in carriers_of(values):
        dim, label = carrier.node_dim, carrier.label or carrier.name
        coords = {dim: c["nodes"]}
        if "price" in c:
            price = carrier.price_var
            out[price] = Output(price, carrier.name, "price", "", f"{label} price").stamp(
                xr.DataArray(c["price"].T, dims=("time", dim), coords=coords,
                             attrs={"units": units_of(price)}))
        var = carrier.unserved_var
        out[var] = Output(var, carrier.name, "slack", carrier.unserved_key, f"Unserved {label}",
                          "#d62728").stamp(xr.DataArray(
                              c["unserved"].T, dims=("time", dim), coords=coords,
                              attrs={"units": units_of(var)}))
    if "reserve_shortfall_mw" in values:
        out["reserve_shortfall_mw"] = xr.DataArray(values["reserve_shortfall_mw"], dims=("time",),
                                                   attrs={"units": "MW"})
    for output in CORE_OUTPUTS:
        if output.var in out:
            output.stamp(out[output.var])
    return out


def carriers_of(values: dict) -> list:
    """(Carrier, solved values) of every carrier the core balanced besides electricity."""
    out = []
    for name, c in values.get("carriers", {}).items():
        dim, unit = str(c["node_dim"][0]), str(c["unit"][0])
        out.append((Carrier(name, tuple(c["nodes"]), dim, unit, 0.0, ""), c))
    return out


def carrier_declarations(values: dict) -> str:
    """The run's carriers as JSON text (a results.nc attribute; outputs.carriers reads it)."""
    return json.dumps([ELECTRICITY_DECLARATION] + [
        carrier.declaration() for carrier, _ in carriers_of(values)])


CORE_OUTPUTS = (
    Output("bus_unserved_mw", "electricity", "slack", "unserved_energy_mwh", "Unserved energy",
           "#d62728"),
    Output("bus_excess_mw", "electricity", "slack", "excess_energy_mwh", "Excess energy"),
    Output("bus_net_injection_mw", "electricity", "detail", "", "Net injection"),
    Output("branch_flow_mw", "electricity", "detail", "", "Branch flow"),
    Output("reserve_shortfall_mw", "reserve", "slack", "reserve_shortfall_mwh",
           "Reserve shortfall"),
    Output("bus_price_cny_per_mwh", "electricity", "price", "", "Nodal price"),
    Output("reserve_price_cny_per_mw", "reserve", "price", "", "Reserve price"),
)


def make_dataset(arrays: dict[str, xr.DataArray], times: pd.DatetimeIndex, dt_h: float,
                 attrs: dict | None = None) -> xr.Dataset:
    # one memory layout whatever the windows' history (fresh, resumed, blocks): numpy's
    # pairwise sums follow the layout, so the summary's sums come out bit-identical
    ds = xr.Dataset({k: v.copy(data=np.ascontiguousarray(v.values)) for k, v in arrays.items()})
    ds = ds.assign_coords(time=("time", times))
    ds.attrs.update({"dt_h": dt_h, "time_zone": "UTC+8 (CST), period-beginning"})
    ds.attrs.update(attrs or {})
    return ds


def write_netcdf(ds: xr.Dataset, path: Path) -> None:
    ds.to_netcdf(path, engine="h5netcdf")


def read_netcdf(path: Path) -> xr.Dataset:
    """A run's results.nc; a missing, half-written or foreign file is an InputError."""

    path = Path(path)
    if not path.is_file():
        raise InputError(path.parent, path.name, "not found", "a folder written by gridmodel run")
    try:
        ds = xr.load_dataset(path, engine="h5netcdf")
    except Exception as exc:  # noqa: BLE001 -- h5py/xarray raise many types on damage
        raise InputError(path, "(file)", f"cannot read: {type(exc).__name__}: {exc}",
                         "a results.nc written by gridmodel run") from None
    if "time" not in ds.dims or "dt_h" not in ds.attrs or "case" not in ds.attrs:
        raise InputError(path, "(content)", "no gridmodel results over time (attributes "
                         "dt_h and case)", "a results.nc written by gridmodel run")
    return stamp_missing(ds)


def energy_mwh(da: xr.DataArray, dt_h: float) -> float:
    """Sum over all dims of a MW (or MW_th) DataArray times dt_h."""
    return float(np.nansum(da.values) * dt_h)


def stamp_missing(ds: xr.Dataset) -> xr.Dataset:
    """Results written before the registry (no declarations on their variables): stamp the
    current declarations of every technology and of the core (a migration; imports the
    technology registry only for such files)."""
    if declared(ds):
        return ds
    from .model.techs import TECHNOLOGIES

    known = {o.var: o for t in TECHNOLOGIES for o in t.OUTPUTS}
    known.update({o.var: o for o in CORE_OUTPUTS})
    for name in ds.data_vars:
        if name in known:
            known[name].stamp(ds[name])
        elif name.endswith("_unserved_mw_th"):  # a carrier's slack (heat zones)
            Output(name, "heat", "slack", "unserved_heat_mwh", "Unserved heat").stamp(ds[name])
    return ds
