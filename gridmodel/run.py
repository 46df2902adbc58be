"""One run: case → System → model → solve → Dataset → run folder (written atomically)."""

from __future__ import annotations

import functools
import json
import math
import platform
import time
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import tomli_w

from . import attribution, economics, kpi, outputs
from .case import Case, resolved_dict
from .checkpoint import Checkpoint
from .horizon import fingerprint, solve_rolling, window_table
from .model.techs import TECHNOLOGIES
from .network.loader import system_from_case
from .outdir import RunFolder
from .results import carrier_declarations, core_arrays, make_dataset, write_netcdf
from .windows import blocks_used, check_horizon

PACKAGES = ("gridmodel", "pyomo", "highspy", "pandapower", "xarray", "numpy", "pandas")


@dataclass
class RunOutcome:
    dataset: object
    summary: dict
    info: dict
    out_dir: Path | None = None


@functools.cache
def _versions() -> tuple:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:  # not installed as a distribution (from source)
            out[name] = "unknown"
    return tuple(out.items())


def versions() -> dict:
    """Package versions for run.json (read once per process)."""
    return dict(_versions())


def solve_case(case: Case, progress=None, checkpoint: Checkpoint | None = None,
               scheduler: str | None = None, system=None) -> RunOutcome:
    """Solve a case (one model, rolling windows, or parallel blocks of windows) and return
    results in memory."""
    wall = time.perf_counter()
    if system is None:
        system = system_from_case(case, TECHNOLOGIES)
        check_horizon(case, system, scheduler)
    warmup_s = 0.0
    if blocks_used(case, system) > 1:
        from .blocks import solve_blocks

        cp = checkpoint or Checkpoint(None, "")
        arrays, core, records, build_s, warmup_s = solve_blocks(
            case, system, progress, cp.folder, cp.fingerprint, scheduler)
    else:
        arrays, core, records, build_s = solve_rolling(case, system, progress, checkpoint)
    arrays.update(core_arrays(core, system))
    ds = make_dataset(arrays, system.time, system.dt_h,
                      {"case": case.name, "carriers": carrier_declarations(core)})
    ds = ds.merge(window_table(records, system.time))
    ds = ds.merge(attribution.attribute(ds, system, system.techs))
    # exactly rounded sums (math.fsum): the same figures whatever order the windows came in
    costs = {k: math.fsum(np.ravel(v)) for k, v in sorted(core["cost_cny"].items())}
    gaps = [r.mip_gap for r in records if r.mip_gap == r.mip_gap]
    statuses = {r.status for r in records}
    status = statuses.pop() if len(statuses) == 1 else (
        "time_limit" if statuses <= {"optimal", "time_limit"} else "mixed")
    summary = {"status": status, "objective_cny": math.fsum(costs.values()),
               "windows_count": len(records),
               "windows_at_time_limit_count": sum(r.status == "time_limit" for r in records),
               "windows_fallback_count": sum(r.status == "fallback" for r in records)}
    penalty = math.fsum(v for k, v in costs.items() if k in core.get("penalty_costs", []))
    summary.update({"operating_cost_cny": summary["objective_cny"] - penalty,
                    "penalty_cost_cny": penalty})
    summary.update(kpi.summary(ds))
    summary.update(attribution.summary(ds))
    summary.update(economics.for_case(case, system, system.techs))
    summary["export_links"] = kpi.export_links(ds, system)
    summary["renewable_split_by_month_mwh"] = kpi.monthly_split(ds)
    python_s = sum(r.update_time_s + r.extract_time_s for r in records)
    summary.update({"mip_gap": max(gaps) if gaps else float("nan"),
                    "solve_time_s": sum(r.solve_time_s for r in records),
                    "python_time_s": python_s, "warmup_solve_time_s": warmup_s,
                    "blocks_count": blocks_used(case, system),
                    "wall_time_s": time.perf_counter() - wall})
    info = {"case": case.name, "windows": [asdict(r) for r in records],
            "build_time_s": build_s, "cost_breakdown_cny": costs, "versions": versions(),
            "fingerprint": fingerprint(case),
            "unserved": {c["name"]: kpi.unserved_events(ds, c["unserved_var"])[:200]
                         for c in outputs.carriers(ds)},
            "carriers": outputs.carriers(ds),
            "causes": attribution.cause_meanings(ds),
            "kpis": [{"key": k.key, "label": k.label, "monthly": k.monthly,
                      "compare": k.compare, "terminal": k.terminal, "plot": k.plot}
                     for k in kpi.KPIS],
            "n_steps": system.n_steps, "dt_h": system.dt_h,
            "defaults_applied": system.extras.get("defaults_applied", {}),
            "warnings": system.extras.get("warnings", []),
            "outputs": [{**asdict(o), "unit": ds[o.var].attrs.get("units")}
                        for o in outputs.declared(ds)]}
    return RunOutcome(ds, summary, info)


def default_out_dir(case: Case) -> Path:
    return Path("results") / case.name


def write_run(outcome: RunOutcome, case: Case, folder: RunFolder) -> Path:
    """Each file to a temporary name inside the run folder, then renamed into place."""
    folder.replace("results.nc", lambda tmp: write_netcdf(outcome.dataset, tmp))
    folder.write_text("summary.json", json.dumps(outcome.summary, indent=2) + "\n")
    folder.write_text("run.json", json.dumps(outcome.info, indent=2, default=str) + "\n")
    folder.write_text("case.resolved.toml", tomli_w.dumps(resolved_dict(case)))
    folder.complete()
    outcome.out_dir = folder.path
    return folder.path


def run_case(case: Case, out_dir: Path | None = None, force: bool = False,
             resume: bool = False, progress=None, scheduler: str | None = None) -> RunOutcome:
    """Solve and write a run folder (locked while it runs). Windows are checkpointed inside
    it; with `resume` an interrupted run continues from its last finished window."""
    folder = RunFolder(Path(out_dir) if out_dir else default_out_dir(case), force, resume)
    folder.check()
    system = system_from_case(case, TECHNOLOGIES)
    check_horizon(case, system, scheduler)  # before anything is written
    economics.check_costs(case, TECHNOLOGIES)
    folder.prepare()
    try:
        checkpoint = Checkpoint(folder.checkpoint, fingerprint(case))
        if not resume:
            checkpoint.reset()
        outcome = solve_case(case, progress, checkpoint, scheduler, system)
        outcome.info["wall_time_s"] = outcome.summary["wall_time_s"]
        write_run(outcome, case, folder)
    finally:
        folder.release()
    return outcome


def solve_pglib(path: Path, mip_gap: float = 1e-3, time_limit_s: float = 120.0,
                threads: int = 2, cluster: bool = True, mip_start: str = "none") -> dict:
    """Solve one pglib-uc instance; summary with objective, bound, gap and timings."""
    from .pglib import pglib_case, read_instance

    wall = time.perf_counter()
    case = pglib_case(path, mip_gap, time_limit_s, threads, mip_start, cluster)
    system, _ = read_instance(path, cluster)
    _, core, records, build_s = solve_rolling(case, system)
    w = records[0]
    return {"instance": Path(path).name, "status": w.status, "objective": w.objective_cny,
            "bound": w.bound_cny, "mip_gap": w.mip_gap, "solve_time_s": w.solve_time_s,
            "build_time_s": build_s, "wall_time_s": time.perf_counter() - wall,
            "unserved_energy_mwh": float(core["unserved_mw"].sum()),
            "reserve_shortfall_mwh": float(core.get("reserve_shortfall_mw", [0]).sum())}
