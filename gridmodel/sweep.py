"""Scenario sweeps on dask.distributed: a local cluster by default or an existing scheduler.

Each scenario is one `gridmodel run` into its own folder; a failed scenario is reported and
does not stop the others; a re-run skips scenarios whose folder holds a finished run of the
same case (fingerprint), and re-runs one whose case has changed."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import socket
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import xarray as xr

from .case import apply_sets, load_with_origins, validate
from .errors import CaseError
from .outdir import LOCK, OutputError, lock_state


@dataclass
class Scenario:
    name: str
    sets: list[str]


def parse_grid(items: list[str]) -> list[tuple[str, list[str]]]:
    """`key=v1,v2` items → [(key, [v1, v2])]."""
    grid = []
    for item in items:
        key, sep, values = item.partition("=")
        if not sep or not key.strip() or not values.strip():
            raise CaseError("--set", item, "not of the form key=v1,v2,...", "dotted.key=values")
        parts = [v.strip() for v in values.split(",")]
        if any(not v for v in parts):
            raise CaseError("--set", item, "an empty value in the list", "key=v1,v2,... "
                            "without empty entries")
        if len(set(parts)) < len(parts):
            raise CaseError("--set", item, "a value repeated", "distinct values")
        grid.append((key.strip(), parts))
    return grid


def scenarios(grid: list[tuple[str, list[str]]]) -> list[Scenario]:
    """The product of the grid; names from the keys that take several values."""
    varied = [i for i, (_, values) in enumerate(grid) if len(values) > 1] or [0]
    out = []
    for combo in itertools.product(*[values for _, values in grid]):
        sets = [f"{key}={value}" for (key, _), value in zip(grid, combo)]
        label = "__".join(f"{_short(grid[i][0])}-{combo[i]}" for i in varied)
        out.append(Scenario(re.sub(r"[^\w.+=,-]", "_", label), sets))
    return _unique(out)


def _unique(items: list[Scenario]) -> list[Scenario]:
    """Scenarios whose values map to one folder name (`a:b`, `a_b`) get a suffix from a
    hash of their settings, so no two share a folder."""
    names = [s.name for s in items]
    for s in items:
        if names.count(s.name) > 1:
            s.name += "~" + hashlib.sha256(" ".join(s.sets).encode()).hexdigest()[:6]
    return items


def _short(key: str) -> str:
    return key.split(".")[-2] if "." in key else key


def check_scenarios(case_file: Path, items: list[Scenario]) -> None:
    """Validate every scenario's case and its overrides against the network before anything
    runs (bad keys, assets and columns fail fast, not in every worker)."""
    from .model.techs import TECHNOLOGIES
    from .network.loader import base_tables
    from .network.parsed import parse

    raw, origins = load_with_origins(Path(case_file))
    nets = {}
    for s in items:
        scenario_origins = dict(origins)
        case = validate(apply_sets(raw, s.sets, origins=scenario_origins), case_file,
                        scenario_origins)
        case = case.model_copy(update={"origins": scenario_origins})
        if case.network not in nets:
            nets[case.network] = parse(case.network)
        base_tables(case, TECHNOLOGIES, nets[case.network])


def run_one(case_file: str, sets: list[str], out_dir: str) -> dict:
    """Worker task: one scenario run; returns its summary or the error text."""
    from .case import load_case
    from .errors import GridmodelError
    from .horizon import fingerprint
    from .run import run_case

    out = Path(out_dir)
    try:
        case = load_case(case_file, sets)
        done = _finished(out, fingerprint(case))
        if done is not None:
            return {**done, "status": "skipped", "solve_status": done.get("status")}
        stale = (out / "summary.json").is_file()  # finished, but for another case: re-run
        outcome = run_case(case, out, force=stale, resume=not stale)
    except GridmodelError as exc:
        return {"status": "failed", "error": str(exc)}
    return outcome.summary


def _finished(out: Path, fingerprint: str) -> dict | None:
    """The summary of a finished run of exactly this case (same fingerprint), else None."""
    try:
        info = json.loads((out / "run.json").read_text())
        done = json.loads((out / "summary.json").read_text())
    except (OSError, ValueError):
        return None
    ok = isinstance(info, dict) and isinstance(done, dict) and info.get("fingerprint") == \
        fingerprint
    return done if ok else None


def local_thread_sets(items: list[Scenario], workers: int) -> list[str]:
    """On a local cluster the workers share this machine's cores: each scenario's solver
    gets cores // workers threads, unless the sweep sets solver.threads itself."""
    if any(item.startswith("solver.threads=") for s in items for item in s.sets):
        return []
    return [f"solver.threads={max(1, (os.cpu_count() or 1) // workers)}"]


def run_sweep(case_file: Path, items: list[Scenario], out_dir: Path, workers: int = 2,
              scheduler: str | None = None, progress=None) -> pd.DataFrame:
    check_scenarios(case_file, items)
    with sweep_folder(out_dir):
        return _run_sweep(case_file, items, out_dir, workers, scheduler, progress)


SWEEP_MARKER = ".gridmodel-sweep.json"


@contextmanager
def sweep_folder(out_dir: Path):
    """A sweep writes only into an empty folder or one of its own (marked), one sweep at a
    time (a lock as run folders have)."""
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise OutputError(f"{out_dir} is a link or a file; give a folder for --out")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / SWEEP_MARKER).is_file():
        raise OutputError(f"{out_dir} exists and is not a gridmodel sweep folder (no "
                          f"{SWEEP_MARKER}); choose another --out (nothing was changed)")
    out_dir.mkdir(parents=True, exist_ok=True)
    if lock_state(out_dir)[0] != "free":
        raise OutputError(f"{out_dir} is being written by another sweep ({LOCK}); wait for "
                          "it or choose another --out")
    (out_dir / LOCK).write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                            "since": time.time()}))
    (out_dir / SWEEP_MARKER).write_text(json.dumps({"tool": "gridmodel", "kind": "sweep"}))
    try:
        yield out_dir
    finally:
        (out_dir / LOCK).unlink(missing_ok=True)


def _run_sweep(case_file, items, out_dir, workers, scheduler, progress) -> pd.DataFrame:
    from dask.distributed import as_completed

    from .blocks import local_cluster

    extra = [] if scheduler else local_thread_sets(items, workers)
    cluster = None if scheduler else local_cluster(workers)
    rows = {}
    with _client(scheduler, cluster) as client:
        futures = {client.submit(run_one, str(Path(case_file).resolve()), s.sets + extra,
                                 str((out_dir / s.name).resolve()), pure=False): s
                   for s in items}
        for done, future in enumerate(as_completed(futures), start=1):
            s = futures[future]
            try:
                result = {k: v for k, v in future.result().items() if not isinstance(v, dict)}
                rows[s.name] = {"sets": " ".join(s.sets), **result}
            except Exception as exc:  # noqa: BLE001 -- a crashed worker is one failed scenario
                rows[s.name] = {"sets": " ".join(s.sets), "status": "failed", "error": str(exc)}
            if progress:
                progress(done, len(items))
    if cluster is not None:
        cluster.close()
    table = pd.DataFrame.from_dict(rows, orient="index").loc[[s.name for s in items]]
    table.index.name = "scenario"
    table.to_csv(out_dir / "sweep_summary.csv")
    combine(out_dir, [s.name for s in items if (out_dir / s.name / "results.nc").is_file()])
    return table


def _client(scheduler: str | None, cluster):
    """A dask client; an unreachable scheduler is a one-line error after 10 s."""
    from dask.distributed import Client

    try:
        return Client(scheduler or cluster, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise CaseError("--scheduler", str(scheduler), f"cannot connect: {exc}",
                        "the address of a running dask scheduler, e.g. tcp://host:8786") \
            from None


def combine(out_dir: Path, names: list[str]) -> Path | None:
    """One NetCDF with a `scenario` dimension from the finished scenario runs."""
    if not names:
        return None
    from .results import read_netcdf, write_netcdf

    data = [read_netcdf(out_dir / n / "results.nc") for n in names]
    combined = xr.concat(data, dim=pd.Index(names, name="scenario"), join="outer",
                         combine_attrs="drop_conflicts")
    path = out_dir / "sweep.nc"
    write_netcdf(combined, path)
    return path


def _sizes(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The value of each size key in each scenario (from its `sets`)."""
    rows = []
    for sets in table["sets"]:
        given = dict(item.split("=", 1) for item in sets.split())
        missing = [k for k in keys if k not in given]
        if missing:
            raise CaseError("--merit", missing[0], "not one of the swept keys",
                            f"one of {sorted(given)}")
        rows.append({k: float(given[k]) for k in keys})
    return pd.DataFrame(rows, index=table.index)


def option_label(key: str, size: float) -> str:
    """`overrides.electric_boiler.baicheng.p_max_mw`, 500 → 'electric_boiler.baicheng 500'."""
    parts = [p for p in key.split(".")[:-1] if p != "overrides"] or [key]
    return f"{'.'.join(parts)} {size:g}"


def merit_order(table: pd.DataFrame, size_keys: str | list[str]) -> pd.DataFrame:
    """Flexibility merit order. For each option (size key): the scenarios where only that
    option is sized (the other keys at their smallest value), against the reference where
    every option is at its smallest value: avoided curtailment, per size unit installed, and
    the change of total cost (incl. slack penalties) and of operating cost per avoided MWh."""
    keys = [size_keys] if isinstance(size_keys, str) else list(size_keys)
    ok = table[table["status"].isin(["optimal", "skipped", "time_limit"])].copy()
    if "operating_cost_cny" not in ok:  # summaries written before the cost split
        ok["operating_cost_cny"] = float("nan")
    sizes = _sizes(ok, keys)
    smallest = sizes.min()
    at_min = sizes.eq(smallest)
    if not at_min.all(axis=1).any():
        raise CaseError("--merit", ",".join(keys), "no finished reference scenario",
                        "a scenario with every option at its smallest size")
    ref = ok[at_min.all(axis=1)].iloc[0]
    parts = []
    for key in keys:
        others = at_min.drop(columns=key).all(axis=1)
        rows = ok[others].assign(option=key, size=sizes.loc[others, key]).sort_values("size")
        parts.append(rows)
    ok = pd.concat(parts)
    avoided = ref["renewable_curtailed_mwh"] - ok["renewable_curtailed_mwh"]
    per_avoided = avoided.where(avoided > 0)
    size_delta = (ok["size"] - smallest[ok["option"]].to_numpy()).where(lambda d: d > 0)
    cost = ok["objective_cny"] - ref["objective_cny"]
    operating = ok["operating_cost_cny"] - ref["operating_cost_cny"]
    capex = (ok["capex_for_run_cny"] - ref["capex_for_run_cny"]) if "capex_for_run_cny" in ok \
        else pd.Series(float("nan"), index=ok.index)
    benefit = -operating - capex
    steps = pd.DataFrame({"option": ok["option"], "size": ok["size"], "avoided": avoided}
                         ).groupby("option", sort=False)[["size", "avoided"]].diff()
    return pd.DataFrame({
        "option": ok["option"], "size": ok["size"],
        "label": [option_label(k, v) for k, v in zip(ok["option"], ok["size"])],
        "avoided_curtailment_mwh": avoided,
        "avoided_mwh_per_size_unit": avoided / size_delta,
        "marginal_avoided_mwh_per_size_unit": steps["avoided"] / steps["size"].where(
            steps["size"] > 0),
        "cost_change_cny": cost, "cost_change_cny_per_avoided_mwh": cost / per_avoided,
        "operating_cost_change_cny": operating,
        "operating_cost_change_cny_per_avoided_mwh": operating / per_avoided,
        "capex_for_run_change_cny": capex, "net_benefit_cny": benefit,
        "levelised_cost_cny_per_avoided_mwh": (operating + capex) / per_avoided,
        "net_benefit_rank": benefit.rank(ascending=False, method="min")})


def best_sizes(merit: pd.DataFrame) -> pd.DataFrame:
    """Per option: the size with the largest net benefit (economics.best_size)."""
    from .economics import best_size

    rows = []
    for option, part in merit.groupby("option", sort=False):
        size, benefit, method = best_size(part["size"].to_numpy(), part["net_benefit_cny"]
                                          .to_numpy())
        rows.append({"option": option, "best_size": size, "net_benefit_cny": benefit,
                     "method": method})
    return pd.DataFrame(rows)
