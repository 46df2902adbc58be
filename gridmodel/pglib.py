"""pglib-uc JSON instances (IEEE PES task force; format in shared/benchmarks/pglib-uc/MODEL.pdf)
read into a single-bus System and solved by the same unit-commitment engine.

Mapping to gridmodel's formulation: piecewise production points → convex pwl cost (cost at
the first point = no-load term); start-up categories by lag → start-up categories by off
time; must_run → committed every hour; renewable min/max → must-take/availability series;
`reserves` → spinning reserve series. pglib ramps act on output above minimum, so a start-up
(shut-down) hour is limited to min(SU, P_min + RU) (min(SD, P_min + RD)); applied here.
"""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .case import Case, ModelOptions, ReserveOptions, SolverOptions
from .errors import InputError
from .model.techs import TECHNOLOGIES
from .system import Network, System

BUS = "system"


def _thermal_row(g: dict) -> dict:
    pts = g["piecewise_production"]
    pmin, pmax = g["power_output_minimum"], g["power_output_maximum"]
    pwl = [[a["mw"], b["mw"], (b["cost"] - a["cost"]) / (b["mw"] - a["mw"])]
           for a, b in pairwise(pts) if b["mw"] > a["mw"]]
    on = bool(g["unit_on_t0"])
    return {
        "bus": BUS, "kind": g.get("fuel", "thermal"), "p_min_mw": pmin, "p_max_mw": pmax,
        "cost_c0_cny_per_h": pts[0]["cost"], "pwl_points": pwl or "",
        "min_up_h": float(g["time_up_minimum"]), "min_down_h": float(g["time_down_minimum"]),
        "ramp_up_mw_per_h": g["ramp_up_limit"], "ramp_down_mw_per_h": g["ramp_down_limit"],
        "startup_limit_mw": min(g["ramp_startup_limit"], pmin + g["ramp_up_limit"]),
        "shutdown_limit_mw": min(g["ramp_shutdown_limit"], pmin + g["ramp_down_limit"]),
        "startup_categories": [[float(s["lag"]), float(s["cost"])] for s in g["startup"]],
        "initial_on": float(on),
        "initial_time_in_state_h": float(g["time_up_t0"] if on else g["time_down_t0"]),
        "initial_p_mw": float(g["power_output_t0"]),
        "must_run": bool(g.get("must_run", 0)),
    }


def _identical_groups(generators: dict) -> dict[str, list[str]]:
    """Units whose data (initial state included) are identical, keyed by the first name."""
    groups: dict[str, list[str]] = {}
    for name, g in generators.items():
        key = json.dumps({k: v for k, v in g.items() if k != "name"}, sort_keys=True)
        groups.setdefault(key, []).append(name)
    return {names[0]: names for names in groups.values()}


def read_instance(path: Path | str, cluster: bool = False) -> tuple[System, int]:
    """A single-bus System of the instance; `cluster` merges identical units into rows with
    n_units (exact for identical units; removes their symmetry from the MIP)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        n = int(data["time_periods"])
        if not 1 <= n <= 10 * 8784:
            raise ValueError(f"time_periods {n} outside 1..87840")
        gens = data["thermal_generators"]
        groups = _identical_groups(gens) if cluster else {k: [k] for k in gens}
        thermal = pd.DataFrame({name: {**_thermal_row(gens[name]), "n_units": len(members)}
                                for name, members in groups.items()}).T
        series = {"demand": np.asarray(data["demand"], float),
                  "reserve": np.asarray(data["reserves"], float)}
        renewable = {}
        for name, w in data["renewable_generators"].items():
            hi = np.asarray(w["power_output_maximum"], float)
            lo = np.asarray(w["power_output_minimum"], float)
            scale = max(hi.max(), 1e-9)
            series[f"max_{name}"], series[f"min_{name}"] = hi / scale, lo / scale
            renewable[name] = {"bus": BUS, "kind": "wind" if "WIND" in name else "solar"
                               if "PV" in name else "hydro", "p_max_mw": scale,
                               "profile": f"max_{name}", "min_profile": f"min_{name}"}
        _check_series(series, n, path)
    except InputError:
        raise
    except (KeyError, ValueError, TypeError, AttributeError, IndexError, OSError,
            UnicodeDecodeError, RecursionError) as exc:
        raise InputError(path, f"{type(exc).__name__}: {exc}"[:200], "not a pglib-uc instance",
                         "MODEL.pdf format") from None
    times = pd.date_range("2020-01-01", periods=n, freq="h")
    profiles = xr.Dataset({k: ("time", v, {"units": "MW" if k in ("demand", "reserve")
                                           else "pu"}) for k, v in series.items()},
                          coords={"time": times})
    tables = {"thermal": thermal, "renewable": pd.DataFrame(renewable).T,
              "load": pd.DataFrame({"bus": [BUS], "p_mw": [1.0], "profile": ["demand"]},
                                   index=["demand"])}
    specs = {t.SPEC.table: t.SPEC for t in TECHNOLOGIES}
    tables = {k: specs[k].fill(v, path) for k, v in tables.items() if len(v)}
    for k, v in tables.items():
        specs[k].check(v, path)
    if "renewable" in tables:
        tables["renewable"]["kind"] = tables["renewable"]["kind"].astype(str)
    network = Network(buses=(BUS,), ptdf=pd.DataFrame(columns=[BUS], dtype=float),
                      rating_mw=pd.Series(dtype=float))
    return System(name=path.stem, network=network, tables=tables, profiles=profiles,
                  time=times, dt_h=1.0, techs=tuple(TECHNOLOGIES)), n


def _check_series(series: dict, n: int, path) -> None:
    """Every series has n finite values; demand and reserve are not negative."""
    for name, values in series.items():
        if values.shape != (n,):
            raise InputError(path, name, f"{values.size} values", f"{n} (time_periods)")
        if not np.isfinite(values).all():
            raise InputError(path, name, "NaN or inf values", "finite MW")
        if name in ("demand", "reserve") and (values < 0).any():
            raise InputError(path, name, f"negative value {values.min():g}", "MW >= 0")


OPTION_NAMES = {"mip_gap": "--mip-gap", "time_limit_s": "--time-limit", "threads": "--threads",
                "mip_start": "--mip-start"}


def pglib_case(path: Path, mip_gap: float, time_limit_s: float, threads: int,
               mip_start: str = "none", cluster: bool = False) -> Case:
    from pydantic import ValidationError

    try:
        return _pglib_case(path, mip_gap, time_limit_s, threads, mip_start, cluster)
    except ValidationError as exc:
        err = exc.errors()[0]
        option = OPTION_NAMES.get(str(err["loc"][-1]), str(err["loc"][-1]))
        raise InputError("command line", option, f"{err['msg']}, got {err.get('input')!r}",
                         "see gridmodel pglib --help") from None


def _pglib_case(path: Path, mip_gap: float, time_limit_s: float, threads: int,
                mip_start: str, cluster: bool) -> Case:
    return Case(name=Path(path).stem, network=Path(path),
                model=ModelOptions(commitment="clustered" if cluster else "binary",
                                   network="copperplate"),
                reserve=ReserveOptions(spinning_profile="reserve"),
                solver=SolverOptions(mip_gap=mip_gap, time_limit_s=time_limit_s,
                                     threads=threads, mip_start=mip_start))
