"""Small helpers shared by technology modules."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import xarray as xr

from ...errors import NetworkError
from ...units import units_of
from ._pyomo import pyo


def steps(hours: float, dt_h: float) -> int:
    """Whole time steps covering `hours` (at least 0)."""
    return max(0, math.ceil(hours / dt_h - 1e-9))


def profile(system, name, start: int, n: int) -> np.ndarray:
    """A named profile series over [start, start+n), or ones when no series is named."""
    if not isinstance(name, str) or not name:
        return np.ones(n)
    return np.asarray(system.series(name, start, start + n), dtype=float)


def scaled_profiles(system, table: pd.DataFrame, scale_col: str, profile_col: str,
                    start: int, n: int) -> np.ndarray:
    """(asset × t) array of table[scale_col] × the asset's profile series."""
    scale = table[scale_col].to_numpy(float)
    names = table[profile_col].tolist()
    return np.array([k * profile(system, name, start, n) for k, name in zip(scale, names)],
                    dtype=float).reshape(len(table), n)


_TEMPLATES: dict = {}


def data_array(name: str, values: np.ndarray, dim: str, assets, **coords) -> xr.DataArray:
    """A (time × asset) DataArray named `name` with units from its suffix; `coords`: more
    per-asset coordinates (name → one value per asset). Built from a cached template, since
    a new DataArray with an index costs milliseconds and every window makes dozens."""
    values = np.asarray(values).T
    key = (name, dim, tuple(assets), values.shape,
           tuple((k, tuple(v)) for k, v in coords.items()))
    template = _TEMPLATES.get(key)
    if template is None:
        if len(_TEMPLATES) > 1024:
            _TEMPLATES.clear()
        template = _TEMPLATES[key] = xr.DataArray(
            values, dims=("time", dim), name=name, attrs={"units": units_of(name)},
            coords={dim: list(assets), **{k: (dim, list(v)) for k, v in coords.items()}})
    return template.copy(deep=False, data=values)


def fixed_injection(b, ctx, table_name: str, sign: float = 1.0):
    """Per asset of the table and step, a window parameter (p_mw × profile, set by
    `update_fixed_injection`) flowing into the asset's bus with `sign`: loads, small plants."""

    table = ctx.system.table(table_name)
    b.UNITS = pyo.Set(initialize=list(table.index), ordered=True)
    mw = ctx.param(b.UNITS, b.model().T)
    ctx.add_power(bus_map(table), mw, sign=sign)
    return mw


def update_fixed_injection(b, mw, ctx, table_name: str, start: int) -> None:
    values = scaled_profiles(ctx.system, ctx.system.table(table_name), "p_mw", "profile",
                             start, ctx.n_steps)
    ctx.set_param(mw, values, list(b.UNITS))


def bus_map(table: pd.DataFrame, column: str = "bus") -> dict:
    return table[column].to_dict()


def check_refs(table: pd.DataFrame, column: str, known, what: str, tech: str, where) -> None:
    """Every value of table[column] must be one of `known` (zones, units ...)."""

    bad = sorted(set(table[column]) - set(known))
    if bad:
        asset = table.index[table[column] == bad[0]][0]
        raise NetworkError(where, f"{tech}.{asset}.{column}", f"unknown {what} {bad}",
                           f"one of {sorted(known)}")


def result(ds, var: str, assets) -> np.ndarray:
    """(asset × time) values of a result variable for the given assets (zeros if absent)."""
    assets = list(assets)
    if var not in ds:
        return np.zeros((len(assets), ds.sizes["time"]))
    dim = next(d for d in ds[var].dims if d != "time")
    return ds[var].sel({dim: assets}).transpose(dim, "time").values.astype(float)


def round_counts(x: np.ndarray, threshold_pu: float) -> np.ndarray:
    """Round fractional counts: up when the fraction is ≥ threshold_pu (1e-6 tolerance)."""
    base = np.floor(x + 1e-6)
    frac = x - base
    return base + ((frac > 1e-6) & (frac >= threshold_pu - 1e-9))
