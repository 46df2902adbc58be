"""Tiny systems built in code for tests: a pandapower net + profiles + case, solved end to end."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandapower as pp
import pandas as pd
import xarray as xr

from gridmodel.case import load_case
from gridmodel.network.io import empty_network, save_net
from gridmodel.run import solve_case

SQRT3 = math.sqrt(3)


class Tiny:
    """Builder of a small net; `solve()` writes JSON/NetCDF/TOML and runs the real pipeline."""

    def __init__(self, n_buses: int = 1, vn_kv: float = 220.0):
        self.net = empty_network()
        self.buses = [pp.create_bus(self.net, vn_kv, name=f"b{i}") for i in range(n_buses)]
        self.series: dict[str, tuple[list, str]] = {}
        self._slack = False
        self.vn_kv = vn_kv

    def line(self, a: int, b: int, rating_mw: float | None = None, x_ohm: float = 10.0):
        max_i_ka = (rating_mw / (self.vn_kv * SQRT3)) if rating_mw else 99.0
        idx = pp.create_line_from_parameters(self.net, self.buses[a], self.buses[b], 1.0, 0.1,
                                             x_ohm, 0.0, max_i_ka)
        self.net.line.loc[idx, "max_loading_percent"] = 100.0 if rating_mw else np.nan
        return idx

    def gen(self, name: str, bus: int = 0, p_max_mw: float = 100.0, p_min_mw: float = 0.0,
            c1: float = 0.0, c0: float = 0.0, c2: float = 0.0, **extra):
        idx = pp.create_gen(self.net, self.buses[bus], 0.0, name=name, max_p_mw=p_max_mw,
                            min_p_mw=p_min_mw, slack=not self._slack, controllable=True)
        self._slack = True
        pp.create_poly_cost(self.net, idx, "gen", cp1_eur_per_mw=c1, cp0_eur=c0,
                            cp2_eur_per_mw2=c2)
        for key, value in extra.items():
            if key not in self.net.gen.columns:
                self.net.gen[key] = np.nan if not isinstance(value, str) else None
            self.net.gen[key] = self.net.gen[key].astype(object if isinstance(value, str)
                                                         else float)
            self.net.gen.loc[idx, key] = value
        return idx

    def load(self, name: str, p_mw: float, bus: int = 0, series: list | None = None):
        profile = None
        if series is not None:
            profile = f"load_{name}"
            self.series[profile] = (series, "pu")
        idx = pp.create_load(self.net, self.buses[bus], p_mw, name=name)
        self.net.load.loc[idx, "profile"] = profile or ""
        return idx

    def renewable(self, name: str, kind: str, p_max_mw: float, bus: int = 0,
                  series: list | None = None):
        idx = pp.create_sgen(self.net, self.buses[bus], p_max_mw, name=name, type=kind)
        profile = ""
        if series is not None:
            profile = f"avail_{name}"
            self.series[profile] = (series, "pu")
        self.net.sgen.loc[idx, "profile"] = profile
        return idx

    def table(self, table: str, **columns):
        """Append a row to an extra technology table (bus given as bus number)."""
        row = dict(columns)
        if "bus" in row:
            row["bus"] = self.buses[row["bus"]]
        df = self.net[table] if table in self.net else pd.DataFrame()
        self.net[table] = pd.concat([df, pd.DataFrame([row])], ignore_index=True)

    def profile(self, name: str, values: list, units: str = "pu"):
        self.series[name] = (values, units)

    def write(self, folder: Path, case_toml: str = "", hours: int | None = None,
              dt_h: float = 1.0) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        save_net(self.net, folder / "net.json")
        head = 'network = "net.json"\n'
        if self.series:
            n = len(next(iter(self.series.values()))[0])
            times = pd.date_range("2016-01-01", periods=n, freq=pd.Timedelta(hours=dt_h))
            ds = xr.Dataset({k: ("time", np.asarray(v, float), {"units": u})
                             for k, (v, u) in self.series.items()}, coords={"time": times})
            ds.to_netcdf(folder / "profiles.nc", engine="h5netcdf")
            head += 'profiles = "profiles.nc"\n'
        elif hours:
            case_toml = f"[time]\nhours = {hours}\n" + case_toml
        path = folder / "case.toml"
        path.write_text(head + case_toml)
        return path

    def solve(self, folder: Path, case_toml: str = "", **kw):
        return solve_case(load_case(self.write(folder, case_toml, **kw)))


def series(outcome, name: str, asset: str) -> np.ndarray:
    da = outcome.dataset[name]
    dim = next(d for d in da.dims if d != "time")
    return da.sel({dim: asset}).values
