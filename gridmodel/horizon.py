"""Rolling horizon: one window model built and compiled once; each window writes its data
as arrays into the same persistent HiGHS instance and re-solves (LPs restart from the last
basis). State (commitment, time in state, output, storage contents) is carried from the end
of each committed part. Commitment modes: MIP (binary, clustered), LP (relaxed, off) and
rounded relaxation (LP, round and repair the commitment, LP with it fixed)."""

from __future__ import annotations

import hashlib
import json
import math
import time
from pathlib import Path

import numpy as np
import xarray as xr

from .checkpoint import Checkpoint, WindowRecord
from .model.core import (
    build_model,
    core_values,
    extract,
    final_state,
    next_window_start,
    rounded_commitment,
    set_window,
)
from .solve import (
    NoIncumbent,
    SolveReport,
    SolverError,
    WindowSolver,
    lp_and_fix_start,
    relative_gap,
)
from .windows import window_steps

MIP_MODES = ("binary", "clustered")


def _cut(arrays: dict, k: int) -> dict:
    """The first k steps of every result array, as plain values (time axis kept in place);
    the DataArray wrapper is rebuilt once per run from a template (`_join_values`)."""
    return {name: da.values[(slice(None),) * da.dims.index("time") + (slice(0, k),)]
            for name, da in arrays.items()}


def _core_cut(values: dict, k: int) -> dict:
    """Keep the committed steps of every (… × t) array, also inside nested dicts."""
    return core_slice(values, slice(0, k))


def core_slice(values: dict, steps: slice) -> dict:
    """The `steps` of every (… × t) array, also inside nested dicts."""
    out = {}
    for key, v in values.items():
        if isinstance(v, np.ndarray):
            out[key] = v[..., steps]
        elif isinstance(v, dict):
            out[key] = core_slice(v, steps)
        else:
            out[key] = v
    return out


def fingerprint(case) -> str:
    """Changes whenever the resolved case changes (files by content hash)."""
    from .case import resolved_dict

    data = json.dumps(resolved_dict(case), sort_keys=True, default=str)
    for key in ("network", "profiles"):
        path = getattr(case, key, None)
        if path and Path(path).is_file():
            data += hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return hashlib.sha256(data.encode()).hexdigest()


def build_window_model(case, system):
    """The case's window model (window + look-ahead steps; relaxed look-ahead if asked)."""
    commit, ahead = window_steps(case, system)
    integer_steps = commit if ahead and case.horizon.relax_lookahead else None
    return build_model(system, case.model, case.reserve, commit + ahead, integer_steps, commit)


def solve_rolling(case, system, progress=None, checkpoint: Checkpoint | None = None,
                  span: tuple[int, int] | None = None):
    """Solve the case window by window over steps [first, stop) of the system (default: all).
    Returns (tech arrays, core values, records, build_s).

    With a checkpoint, finished windows are saved as they complete and an earlier run's
    windows are taken up again (`--resume`)."""
    commit, ahead = window_steps(case, system)
    first, stop = span or (0, system.n_steps)
    checkpoint = checkpoint or Checkpoint(None, "")
    done = checkpoint.load()
    pieces = [d["piece"] for d in done]
    templates = done[0]["templates"] if done else {}
    cores = [d["core"] for d in done]
    records = [d["record"] for d in done]
    state = done[-1]["state"] if done else None
    start_cols = done[-1].get("start") if done else None
    basis = done[-1].get("basis") if done else None
    started = time.perf_counter()
    built = build_window_model(case, system)
    solver = WindowSolver(built.matrix, case.solver, case.model.commitment in MIP_MODES,
                          commit + ahead)
    shift = None
    if case.solver.shift_basis and ahead:
        from .model.shift import basis_permutation

        shift = basis_permutation(built.model, built.matrix, commit + ahead, commit)
    build_s = time.perf_counter() - started
    if basis is not None:  # a resumed run restarts its LPs where the interrupted one was
        solver.read_basis(basis)
    for index, start in enumerate(range(first, stop, commit)):
        if index < len(done):
            continue
        k = min(commit, stop - start)
        t0 = time.perf_counter()
        set_window(built, start, state)
        solver.restart_from(solver.start_basis(), shift)  # as a resumed run: exact resume
        solver.load(built.ctx.window)
        update_s = time.perf_counter() - t0
        try:
            report = solve_window(built, solver, case, start_cols)
        except SolverError as exc:
            raise SolverError(f"window starting {system.time[start]}: {exc}") from None
        t1 = time.perf_counter()
        found = extract(built)
        for name, da in found.items():
            templates.setdefault(name, da)
        pieces.append(_cut(found, k))
        cores.append(_core_cut(core_values(built), k))
        state = final_state(built, k)
        start_cols = None
        if ahead and case.solver.mip_start == "lookahead" and start + k < stop:
            start_cols = next_window_start(built, k)
        records.append(WindowRecord(start, k, report.status, report.mip_gap,
                                    report.objective_cny, report.bound_cny, update_s,
                                    report.solve_time_s, time.perf_counter() - t1))
        checkpoint.save(index, {"piece": pieces[-1], "templates": templates,
                                "core": cores[-1], "record": records[-1],
                                "state": state, "start": start_cols}, solver)
        if progress:
            progress(start + k - first, stop - first)
    return _join_values(pieces, templates), _join_core(cores), records, build_s


def solve_window(built, solver: WindowSolver, case, start_cols=None) -> SolveReport:
    """Solve the loaded window in the case's commitment mode; the solution is left in
    the model's reader. A MIP without an incumbent at its time limit falls back to the
    rounded relaxation (status `fallback`)."""
    mode, reader = case.model.commitment, built.ctx.window.reader
    if mode in MIP_MODES:
        if start_cols is not None and case.solver.mip_start == "lookahead":
            solver.set_start(*start_cols)
        if case.solver.mip_start == "lp_fix":
            lp_and_fix_start(solver.h, case.solver.time_limit_s / 3)
        try:
            report = solver.solve_mip()
        except NoIncumbent as exc:
            with solver.as_lp():
                report = solve_rounded(built, solver, case)
            report.status, report.solve_time_s = "fallback", report.solve_time_s + exc.elapsed_s
            return report
        reader.x = solver.solution()
        report.solve_time_s += fixed_commitment_duals(built, solver)
        return report
    elif mode == "rounded":
        return solve_rounded(built, solver, case)
    report = solver.solve_lp()
    reader.x, reader.y = solver.solution(), solver.row_duals()
    return report


def fixed_commitment_duals(built, solver: WindowSolver) -> float:
    """After a MIP: the dispatch LP with every integer column fixed at its value gives the
    prices (row duals); the MIP's solution is kept. Returns the LP's time."""
    data, reader = built.ctx.window, built.ctx.window.reader
    cols = solver.int_cols
    lo, hi = data.col_lo.copy(), data.col_hi.copy()
    lo[cols] = hi[cols] = np.round(reader.x[cols])
    with solver.as_lp():
        solver.set_cols(lo, hi)
        report = solver.solve_lp()
        reader.y = solver.row_duals()
        solver.set_cols(data.col_lo, data.col_hi)
    return report.solve_time_s


def solve_rounded(built, solver: WindowSolver, case) -> SolveReport:
    """Rounded relaxation: LP relaxation (its objective bounds the window's MIP), round the
    commitment at the threshold and repair it, solve the LP with it fixed; a second pass
    rounds every fraction up when the first is further than mip_gap from the bound."""
    data, reader = built.ctx.window, built.ctx.window.reader
    relaxed = solver.solve_lp()
    solver.keep_basis()  # the next relaxation starts here (−18 % iterations, April week)
    x_relaxed = reader.x = solver.solution()
    spent, best, best_x = relaxed.solve_time_s, None, None
    thresholds = [case.model.rounding_threshold_pu, 1e-6][:case.model.rounding_passes]
    for threshold in thresholds:
        reader.x = x_relaxed
        cols, values = rounded_commitment(built, threshold)
        lo, hi = data.col_lo.copy(), data.col_hi.copy()
        lo[cols], hi[cols] = values, values
        solver.set_cols(lo, hi)
        fixed = solver.solve_lp()
        spent += fixed.solve_time_s
        if best is None or fixed.objective_cny < best.objective_cny - 1e-9:
            best, best_x, best_y = fixed, solver.solution(), solver.row_duals()
        if relative_gap(best.objective_cny, relaxed.objective_cny) <= case.solver.mip_gap:
            break
    solver.set_cols(data.col_lo, data.col_hi)
    reader.x, reader.y = best_x, best_y
    gap = relative_gap(best.objective_cny, relaxed.objective_cny)
    return SolveReport("optimal", "rounded", best.objective_cny, relaxed.objective_cny, gap,
                       spent)


def _join_values(pieces: list[dict], templates: dict) -> dict:
    """Windows' plain values → one DataArray per result, dims/coords/attrs from its template
    (coordinates along time are not carried: the run's time axis is set later)."""
    out = {}
    for name, tpl in templates.items():
        values = np.concatenate([p[name] for p in pieces], axis=tpl.dims.index("time"))
        coords = {c: v for c, v in tpl.coords.items() if "time" not in v.dims}
        out[name] = xr.DataArray(values, dims=tpl.dims, coords=coords, name=tpl.name,
                                 attrs=tpl.attrs)
    return out


def _join(pieces: list[dict]) -> dict:
    if len(pieces) == 1:
        return pieces[0]
    return {name: xr.concat([p[name] for p in pieces], dim="time") for name in pieces[0]}


def _join_core(cores: list[dict]) -> dict:
    out = {}
    for key, v in cores[0].items():
        if isinstance(v, np.ndarray):
            out[key] = np.concatenate([c[key] for c in cores], axis=-1)
        elif isinstance(v, dict):
            out[key] = _join_core([c[key] for c in cores])
        else:
            out[key] = v
    return out


def window_table(records: list[WindowRecord], times) -> xr.Dataset:
    """Per-window record as a small Dataset (dim `window`) for results.nc."""
    def col(attr):
        return [getattr(r, attr) for r in records]

    gaps = [g if g is not None and math.isfinite(g) else np.nan for g in col("mip_gap")]
    return xr.Dataset(coords={"window": [times[r.start_step] for r in records]}, data_vars={
        "window_steps_count": ("window", col("steps"), {"units": "1"}),
        "window_status": ("window", col("status"), {"units": "1"}),
        "window_mip_gap_pu": ("window", gaps, {"units": "pu"}),
        "window_objective_cny": ("window", col("objective_cny"), {"units": "CNY"}),
        "window_bound_cny": ("window", col("bound_cny"), {"units": "CNY"}),
        "window_update_time_s": ("window", col("update_time_s"), {"units": "s"}),
        "window_solve_time_s": ("window", col("solve_time_s"), {"units": "s"}),
        "window_extract_time_s": ("window", col("extract_time_s"), {"units": "s"}),
    })
