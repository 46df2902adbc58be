"""Profile files (NetCDF): named series over time with units; time window selection."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .errors import CaseError, ProfileError

DEFAULT_START = pd.Timestamp("2016-01-01 00:00")


def load_profiles(path: Path | str) -> xr.Dataset:
    path = Path(path)
    try:
        ds = xr.load_dataset(path, engine="h5netcdf")
    except Exception as exc:
        raise ProfileError(path, "(file)", f"cannot read: {exc}", "a NetCDF file") from None
    if "time" not in ds.coords:
        raise ProfileError(path, "time", "no time coordinate", "hourly datetime64 labels")
    for name, da in ds.data_vars.items():
        if da.dims != ("time",):
            raise ProfileError(path, name, f"dims {da.dims}", "one dimension: time")
        if "units" not in da.attrs:
            raise ProfileError(path, f"{name}.units", "attribute missing", "pu, MW, MW_th or degC")
    return ds


def step_hours(times: pd.DatetimeIndex, where) -> float:
    if len(times) < 2:
        return 1.0
    deltas = np.diff(times.values).astype("timedelta64[s]").astype(float) / 3600.0
    if not np.allclose(deltas, deltas[0]):
        raise ProfileError(where, "time", "uneven time steps", "equally spaced periods")
    return float(deltas[0])


def select_window(profiles: xr.Dataset | None, case) -> tuple[xr.Dataset, pd.DatetimeIndex, float]:
    """Profiles cut to the case's time window; without profiles, constant hourly steps."""
    opts = case.time
    if profiles is None:
        n = int(opts.length_h or 1)
        start = pd.Timestamp(opts.start) if opts.start else DEFAULT_START
        times = pd.date_range(start, periods=n, freq="h")
        return xr.Dataset(coords={"time": times}), times, 1.0
    times = pd.DatetimeIndex(profiles["time"].values)
    dt_h = step_hours(times, case.profiles)
    first = 0 if opts.start is None else int(np.searchsorted(times, pd.Timestamp(opts.start)))
    if opts.start is not None and (first >= len(times) or times[first] != pd.Timestamp(opts.start)):
        raise CaseError(case.source, "time.start", f"{opts.start} is not a profile time step "
                        f"({times[0]} .. {times[-1]})", "a time within the profiles")
    n = len(times) - first if opts.length_h is None else int(round(opts.length_h / dt_h))
    if first + n > len(times):
        raise CaseError(case.source, "time.hours", f"window runs past the profiles' end "
                        f"{times[-1]}", "a window within the profiles")
    window = profiles.isel(time=slice(first, first + n))
    return window, pd.DatetimeIndex(window["time"].values), dt_h


def check_series(tables: dict, profiles: xr.Dataset, where) -> None:
    """Every `*profile` column must name a series in the profiles file."""
    have = set(profiles.data_vars)
    for table, df in tables.items():
        for col in [c for c in df.columns if str(c).endswith("profile")]:
            for asset, name in df[col].items():
                if isinstance(name, str) and name and name not in have:
                    raise ProfileError(where, f"{table}.{asset}.{col}", f"series {name!r} not "
                                       f"in the profiles file", "a series name in the file")
