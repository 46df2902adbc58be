"""The only module that names HiGHS: one persistent highspy instance per window model.

The compiled window (`model/compile.py`) is passed once; per window only row bounds, column
bounds, a few coefficients and the objective offset change, so LPs restart from the previous
basis. Solutions come back as arrays (by column index); Pyomo is not involved here.
"""

from __future__ import annotations

import math
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from types import SimpleNamespace

import highspy
import numpy as np
import scipy.sparse as sp

from .case import SolverOptions
from .errors import SolverError

FEASIBLE = 2  # HiGHS kSolutionStatusFeasible


@dataclass
class SolveReport:
    status: str  # optimal | time_limit | fallback | ...
    termination: str
    objective_cny: float
    bound_cny: float
    mip_gap: float
    solve_time_s: float

    def to_dict(self) -> dict:
        return asdict(self)


def relative_gap(objective: float, bound: float) -> float:
    if objective is None or bound is None or not math.isfinite(bound) \
            or not math.isfinite(objective):
        return math.nan
    return abs(objective - bound) / max(abs(objective), 1e-9)


_POOL_THREADS: int | None = None


def _match_thread_pool(threads: int) -> None:
    """HiGHS keeps one process-wide thread pool; a run asking for another thread count fails
    ('unknown' status). Reset the pool when the count changes between solves."""
    global _POOL_THREADS
    if _POOL_THREADS is not None and _POOL_THREADS != threads:
        highspy.Highs.resetGlobalScheduler(True)
    _POOL_THREADS = threads


def _as_lp(mm) -> highspy.HighsLp:
    A = mm.A.tocsc()
    A.sort_indices()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = A.shape[1], A.shape[0]
    lp.col_cost_ = np.asarray(mm.c, dtype=float)
    lp.col_lower_, lp.col_upper_ = mm.col_lo.astype(float), mm.col_hi.astype(float)
    lp.row_lower_, lp.row_upper_ = mm.row_lo.astype(float), mm.row_hi.astype(float)
    lp.offset_ = float(mm.offset)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(float)
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = lp.num_col_, lp.num_row_
    return lp


def time_limit_option(run_time_s: float, limit_s: float, mip: bool) -> float:
    """HiGHS's `time_limit` for a solve of at most limit_s on a reused instance: an LP counts
    it on the instance's cumulative run clock, a MIP from its own start (measured on HiGHS
    1.16: an offset MIP limit let late windows run for minutes)."""
    return max(limit_s, 0.1) + (0.0 if mip else run_time_s)


LP_S_PER_STEP = 3.0  # the Jilin April week as one LP: 85–136 s for 168 steps on 2 cores


def lp_time_limit_s(time_limit_s: float, steps: int) -> float:
    """The LP safety limit: the larger of 60 s, 5 × the MIP window limit and 3 s per window
    step (a one-window week: 504 s), so a long single window is not cut off by a limit set
    for 12-h MIP windows."""
    return max(60.0, 5.0 * time_limit_s, LP_S_PER_STEP * steps)


@contextmanager
def _no_banner():
    """HiGHS prints its banner to the process's stdout when an instance is made, before any
    option can silence it: hold file descriptor 1 on /dev/null for that moment."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError, AttributeError):  # no stdout to guard (a detached worker)
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


class WindowSolver:
    """A persistent HiGHS model of one compiled window. `integer`: solve as MIP (integrality
    of the compiled integer columns) or as LP."""

    def __init__(self, mm, options: SolverOptions, integer: bool, steps: int = 24):
        self.mm, self.options, self.integer = mm, options, integer
        self.lp_limit_s = lp_time_limit_s(options.time_limit_s, steps)
        with _no_banner():
            self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        self.h.setOptionValue("random_seed", 0)
        self.h.passModel(_as_lp(mm))
        self.int_cols = np.flatnonzero(mm.integer).astype(np.int32)
        self.all_rows = np.arange(len(mm.row_lo), dtype=np.int32)
        self.all_cols = np.arange(mm.n_cols, dtype=np.int32)
        self._integrality(integer)
        self._coefs: dict = {}
        self.col_lo, self.col_hi = mm.col_lo.copy(), mm.col_hi.copy()
        self.next_basis = None   # kept by keep_basis: where the next window's LP starts

    def _integrality(self, integer: bool) -> None:
        if len(self.int_cols):
            kind = highspy.HighsVarType.kInteger if integer else highspy.HighsVarType.kContinuous
            self.h.changeColsIntegrality(len(self.int_cols), self.int_cols,
                                         np.full(len(self.int_cols), kind))

    # ---- window data --------------------------------------------------------------------
    def load(self, data) -> None:
        """Push one window's data: row bounds (parameters), column bounds, coefficients."""
        lo, hi = data.row_bounds()
        self.h.changeRowsBounds(len(lo), self.all_rows, lo, hi)
        self.set_cols(data.col_lo, data.col_hi)
        for (row, col), value in data.coefs.items():
            if self._coefs.get((row, col)) != value:
                self.h.changeCoeff(row, col, value)
                self._coefs[(row, col)] = value
        self.h.changeObjectiveOffset(data.objective_offset())

    def set_cols(self, lo: np.ndarray, hi: np.ndarray) -> None:
        changed = np.flatnonzero((lo != self.col_lo) | (hi != self.col_hi)).astype(np.int32)
        if len(changed):
            self.h.changeColsBounds(len(changed), changed, lo[changed], hi[changed])
            self.col_lo[changed], self.col_hi[changed] = lo[changed], hi[changed]

    def set_start(self, cols: np.ndarray, values: np.ndarray) -> None:
        """Partial MIP start: HiGHS fixes these integer columns and completes the rest."""
        if len(cols):
            self.h.setSolution(len(cols), np.asarray(cols, dtype=np.int32),
                               np.asarray(values, dtype=float))

    # ---- solves --------------------------------------------------------------------------
    def _run(self, time_limit_s: float, gap: float | None = None) -> float:
        o = self.options
        _match_thread_pool(o.threads)
        self.h.setOptionValue("threads", o.threads)
        # LPs restart from the last basis, where presolve costs more than it saves
        self.h.setOptionValue("presolve", "off" if gap is None else "choose")
        self.h.setOptionValue("time_limit", time_limit_option(
            self.h.getRunTime(), time_limit_s, mip=gap is not None))
        if gap is not None:
            self.h.setOptionValue("mip_rel_gap", gap)
        start = time.perf_counter()
        self.h.run()
        return time.perf_counter() - start

    def solve_lp(self, time_limit_s: float | None = None) -> SolveReport:
        """An LP has no usable incumbent before optimality: its limit is a safety net that
        grows with the window (`lp_time_limit_s`), not a per-window budget."""
        time_limit_s = time_limit_s or self.lp_limit_s
        elapsed = self._run(time_limit_s)
        status = self.h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            # a stale basis can stall the simplex: clear it and solve once more from scratch
            self.h.clearSolver()
            elapsed += self._run(time_limit_s)
            status = self.h.getModelStatus()
        if status == highspy.HighsModelStatus.kTimeLimit:
            raise SolverError(f"the LP stopped at its time limit of {time_limit_s:.0f} s "
                              f"(the larger of 60 s, 5 × solver.time_limit_s and "
                              f"{LP_S_PER_STEP:g} s per window step); raise "
                              f"solver.time_limit_s (now {self.options.time_limit_s:g} s) or "
                              "use shorter windows (horizon.window_h)")
        if status != highspy.HighsModelStatus.kOptimal:
            raise SolverError(f"HiGHS found no optimal LP solution: "
                              f"{self.h.modelStatusToString(status)}")
        obj = float(self.h.getInfo().objective_function_value)
        return SolveReport("optimal", "optimal", obj, obj, 0.0, elapsed)

    def solve_mip(self) -> SolveReport:
        o = self.options
        elapsed = self._run(o.time_limit_s, o.mip_gap)
        status, info = self.h.getModelStatus(), self.h.getInfo()
        if info.primal_solution_status != FEASIBLE:
            raise NoIncumbent(self.h.modelStatusToString(status), elapsed)
        obj, bound = float(info.objective_function_value), float(info.mip_dual_bound)
        name = "optimal" if status == highspy.HighsModelStatus.kOptimal else (
            "time_limit" if status == highspy.HighsModelStatus.kTimeLimit
            else self.h.modelStatusToString(status))
        return SolveReport(name, self.h.modelStatusToString(status), obj, bound,
                           relative_gap(obj, bound), elapsed)

    def as_lp(self):
        """Context: integrality off (for rounded fallbacks inside a MIP run)."""
        return _Relaxed(self)

    def solution(self) -> np.ndarray:
        return np.asarray(self.h.getSolution().col_value, dtype=float)

    def row_duals(self) -> np.ndarray:
        """Row duals of the last LP (CNY per unit of the row's right-hand side)."""
        return np.asarray(self.h.getSolution().row_dual, dtype=float)

    def keep_basis(self) -> None:
        """The next window starts from this solve's basis (a relaxation's), not the last's."""
        self.next_basis = self.basis_object()

    def start_basis(self):
        """The basis the next window starts from: the kept one, else the last solve's."""
        basis, self.next_basis = self.next_basis or self.basis_object(), None
        return basis

    def write_basis(self, path) -> None:
        """The basis the next window starts from, as a HiGHS basis file (for a checkpoint);
        none if invalid."""
        if self.next_basis is not None:
            self.h.setBasis(self.next_basis)
        if self.h.getBasis().valid:
            self.h.writeBasis(str(path))

    def basis_object(self):
        b = self.h.getBasis()
        return b if b.valid else None

    def restart_from(self, basis, shift=None) -> None:
        """Forget the solver's internal state (factorisation, pricing weights) and keep only
        the basis, moved by `shift` = (columns, rows) (`model/shift.py`) if given: every
        window then starts as a resumed run does, so resuming is exact."""
        self.h.clearSolver()
        if basis is not None:
            self.h.setBasis(basis if shift is None else shifted(basis, *shift))

    def read_basis(self, path) -> None:
        """Restore a saved basis (a resumed run's next LP starts where the old one was)."""
        if self.h.readBasis(str(path)) != highspy.HighsStatus.kOk:
            raise SolverError(f"{path}: the saved LP basis does not fit this model; run "
                              "without --resume (or with --force) to start over")


def shifted(basis, cols: np.ndarray, rows: np.ndarray):
    """A copy of the basis whose column j has the status of column cols[j] (rows alike)."""
    out = highspy.HighsBasis()
    out.col_status = np.asarray(basis.col_status, dtype=object)[cols].tolist()
    out.row_status = np.asarray(basis.row_status, dtype=object)[rows].tolist()
    out.valid = True
    return out


class _Relaxed:
    def __init__(self, solver: WindowSolver):
        self.solver = solver

    def __enter__(self):
        if self.solver.integer:
            self.solver._integrality(False)
        return self.solver

    def __exit__(self, *exc):
        if self.solver.integer:
            self.solver._integrality(True)


class NoIncumbent(SolverError):
    """A MIP stopped (time limit) without any integer solution."""

    def __init__(self, status: str, elapsed_s: float):
        super().__init__(f"no integer solution within the time limit ({status})")
        self.elapsed_s = elapsed_s


def lp_and_fix_start(h, budget_s: float) -> bool:
    """Solve the LP relaxation, fix the integer columns it sets to 1, solve that smaller
    MIP, restore the bounds and hand its solution to HiGHS as a start."""
    lp = h.getLp()
    kind = np.array([int(v) for v in lp.integrality_], dtype=int)
    cols = np.flatnonzero(kind == int(highspy.HighsVarType.kInteger)) if len(kind) else []
    if not len(cols):
        return False
    t0 = time.perf_counter()
    n = len(cols)
    h.changeColsIntegrality(n, cols, np.full(n, highspy.HighsVarType.kContinuous))
    h.setOptionValue("time_limit", h.getRunTime() + budget_s / 2)
    h.run()
    x = np.asarray(h.getSolution().col_value)
    h.changeColsIntegrality(n, cols, np.full(n, highspy.HighsVarType.kInteger))
    if len(x) != len(kind):
        return False
    near = np.abs(x[cols] - np.round(x[cols])) < 1e-6
    fix = cols[near]
    values = np.round(x[fix])
    lower, upper = np.asarray(lp.col_lower_)[fix], np.asarray(lp.col_upper_)[fix]
    h.changeColsBounds(len(fix), fix, values, values)
    h.setOptionValue("time_limit", h.getRunTime() + max(0.1, budget_s - (
        time.perf_counter() - t0)))
    h.setOptionValue("mip_rel_gap", 1e-4)
    h.run()
    found = h.getInfo().primal_solution_status == FEASIBLE
    start = h.getSolution()
    h.changeColsBounds(len(fix), fix, lower, upper)
    if found:
        h.setSolution(start)
    return found


@dataclass
class LpResult:
    objective: float
    x: np.ndarray
    col_dual: np.ndarray
    row_dual: np.ndarray
    basis: object
    solve_time_s: float


def solve_arrays(A, c, col_lo, col_hi, row_lo, row_hi, offset: float = 0.0, basis=None,
                 integer=None, threads: int = 1, mip_gap: float = 1e-6,
                 time_limit_s: float = 3600.0) -> LpResult:
    """One LP (or MIP, `integer` a bool mask) given as arrays, optionally from a basis (a
    plan's block re-solved at new option sizes). Raises SolverError unless optimal."""
    mm = SimpleNamespace(A=sp.csc_array(A), c=c, col_lo=col_lo, col_hi=col_hi,
                         row_lo=row_lo, row_hi=row_hi, offset=offset)
    _match_thread_pool(threads)
    with _no_banner():
        h = highspy.Highs()
    for key, value in (("output_flag", False), ("random_seed", 0), ("threads", threads),
                       ("time_limit", time_limit_s), ("mip_rel_gap", mip_gap)):
        h.setOptionValue(key, value)
    h.passModel(_as_lp(mm))
    mip = integer is not None and bool(np.any(integer))
    if mip:
        cols = np.flatnonzero(integer).astype(np.int32)
        h.changeColsIntegrality(len(cols), cols, np.full(len(cols), highspy.HighsVarType.kInteger))
    elif basis is not None:
        h.setOptionValue("presolve", "off")  # a warm start: presolve costs more than it saves
        h.setBasis(basis)
    start = time.perf_counter()
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal and basis is not None:
        h.clearSolver()  # a stale basis can stall the simplex: once more from scratch
        h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise SolverError(f"HiGHS found no optimal solution: {h.modelStatusToString(status)}")
    sol = h.getSolution()
    return LpResult(float(h.getInfo().objective_function_value),
                    np.asarray(sol.col_value, dtype=float),
                    np.asarray(sol.col_dual, dtype=float) if not mip else np.zeros(len(c)),
                    np.asarray(sol.row_dual, dtype=float) if not mip else np.zeros(len(row_lo)),
                    None if mip else h.getBasis(), time.perf_counter() - start)

