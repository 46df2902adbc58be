"""Compare runs: KPI table, first run = reference, absolute values and deltas."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pandas as pd

from . import kpi, units
from .economics import net_benefit
from .errors import InputError
from .kpi import monthly_split
from .results import read_netcdf

SKIP = ("solve_time_s", "wall_time_s", "python_time_s", "warmup_solve_time_s")


def compare_keys(summaries) -> list[str]:
    """The registry's compare keys first (kpi.KPIS), then every other number any run reports
    whose name carries a unit (declared outputs, causes, families such as per-carrier
    prices), except what the registry keeps out of compare (status, gap, times)."""
    keys = kpi.registry_keys("compare")
    hidden = set(kpi.registry_keys("compare", shown=False)) | set(SKIP)
    for summary in summaries:
        for key, value in summary.items():
            if key in keys or key in hidden or isinstance(value, bool) or not isinstance(
                    value, (int, float)):
                continue
            try:
                units.parse(key)
            except KeyError:
                continue
            keys.append(key)
    return keys


def read_summary(run_dir: Path) -> dict:
    path = Path(run_dir) / "summary.json"
    if not path.is_file():
        raise InputError(run_dir, "summary.json", "not found", "a folder written by gridmodel run")
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(path, "(file)", f"cannot read: {exc}", "JSON written by gridmodel "
                         "run") from None
    if not isinstance(summary, dict):
        raise InputError(path, "(content)", "not a JSON object", "a gridmodel summary")
    return summary


def run_period(run_dir: Path) -> tuple[str, int, float]:
    """(first time step, steps, step hours) of a run, from its run.json and case."""
    path = Path(run_dir) / "run.json"
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        resolved = tomllib.loads((Path(run_dir) / "case.resolved.toml").read_text("utf-8"))
        start = str(resolved.get("time", {}).get("start", "first profile step"))
        return start, int(info["n_steps"]), float(info["dt_h"])
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError,
            tomllib.TOMLDecodeError) as exc:
        raise InputError(path, "n_steps/dt_h", f"cannot read: {exc}"[:80],
                         "a folder written by gridmodel run") from None


def check_same_period(run_dirs: list[Path]) -> None:
    """Runs compared side by side cover the same hours (MWh deltas between a 48-h and a 24-h
    run mean nothing)."""
    periods = [run_period(d) for d in run_dirs]
    for d, period in zip(run_dirs[1:], periods[1:]):
        if period != periods[0]:
            raise InputError(d, "period", f"{_period_text(period)}, the reference "
                             f"{run_dirs[0]} {_period_text(periods[0])}",
                             "runs of the same period")


def _period_text(period: tuple) -> str:
    start, steps, dt_h = period
    return f"{steps} steps of {dt_h:g} h from {start}"


def _labels(run_dirs: list[Path]) -> list[str]:
    labels = [Path(d).name for d in run_dirs]
    if len(set(labels)) < len(labels):  # same folder names: use the paths as given
        labels = [str(d) for d in run_dirs]
    return labels


def compare_table(run_dirs: list[Path]) -> pd.DataFrame:
    """Rows: KPIs (units in names); columns: each run and its delta to the first run."""
    labels = _labels(run_dirs)
    summaries = {label: read_summary(d) for label, d in zip(labels, run_dirs)}
    check_same_period(run_dirs)
    names = list(summaries)
    keys = compare_keys(summaries.values())
    for label, d in zip(labels, run_dirs):
        for key in keys:
            value = summaries[label].get(key, 0.0)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InputError(Path(d) / "summary.json", key, f"{value!r}"[:40],
                                 "a number (the summary of a gridmodel run)")
    table = pd.DataFrame({n: [summaries[n].get(k, 0.0) for k in keys]
                          for n in names}, index=keys)
    if any("capex_for_run_cny" in summaries[n] for n in names):
        table = _add_economics(table, summaries, names)
    for n in names[1:]:
        table[f"{n} − {names[0]}"] = table[n] - table[names[0]]
    table.index.name = "kpi"
    return table


def _add_economics(table: pd.DataFrame, summaries: dict, names: list) -> pd.DataFrame:
    """Rows `net_benefit_cny` and `levelised_cost_cny_per_avoided_mwh` of every run against
    the first (docs/methods.md "Economics")."""

    ref = summaries[names[0]]
    rows = {n: net_benefit(ref, summaries[n]) for n in names}
    extra = pd.DataFrame({n: list(rows[n]) for n in names},
                         index=["net_benefit_cny", "levelised_cost_cny_per_avoided_mwh"])
    return pd.concat([table, extra])


def compare_monthly(run_dirs: list[Path]) -> pd.DataFrame:
    """Per month and run: renewable energy used locally, exported and curtailed (MWh)."""
    labels = _labels(run_dirs)
    columns = {}
    for label, d in zip(labels, run_dirs):
        split = read_summary(d).get("renewable_split_by_month_mwh") or _split_from_results(d)
        for month, values in split.items():
            for key, value in values.items():
                columns.setdefault(f"{label}: {key}", {})[month] = value
    table = pd.DataFrame(columns).sort_index()
    table.index.name = "month"
    return table


def _split_from_results(run_dir: Path) -> dict:
    """Monthly split of a run whose summary predates `renewable_split_by_month_mwh`."""

    path = Path(run_dir) / "results.nc"
    if not path.is_file():
        raise InputError(run_dir, "results.nc", "not found", "a folder written by gridmodel run")
    return monthly_split(read_netcdf(path))
