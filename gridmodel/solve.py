"""The only module that names HiGHS: a persistent solver, options, MIP start, status → report."""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass

import highspy
import numpy as np
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition
from pyomo.contrib.solver.solvers.highs import Highs

from .case import SolverOptions
from .errors import SolverError

OK_TERMINATIONS = {TerminationCondition.convergenceCriteriaSatisfied,
                   TerminationCondition.maxTimeLimit, TerminationCondition.iterationLimit,
                   TerminationCondition.interrupted}


@dataclass
class SolveReport:
    status: str  # optimal | time_limit | ...
    termination: str
    objective_cny: float
    bound_cny: float
    mip_gap: float
    solve_time_s: float

    def to_dict(self) -> dict:
        return asdict(self)


def relative_gap(objective: float, bound: float) -> float:
    if objective is None or bound is None or not math.isfinite(bound):
        return math.nan
    return abs(objective - bound) / max(abs(objective), 1e-9)


class _HighsWithStart(Highs):
    """Pyomo's persistent HiGHS interface plus an LP-and-fix MIP start, done on the HiGHS
    model directly (changing thousands of Pyomo Var bounds costs minutes in Pyomo)."""

    start_budget_s = 0.0
    partial_start: tuple = ()  # (Pyomo var, value) pairs handed to HiGHS before the next solve

    def _solve(self):
        if self.partial_start:
            set_partial_start(self._solver_model, self._pyomo_var_to_solver_var_map,
                              self.partial_start)
        if self.start_budget_s > 0:
            lp_and_fix_start(self._solver_model, self.start_budget_s)
        return super()._solve()


def set_partial_start(h, var_map: dict, pairs: list) -> None:
    """Give HiGHS values for some integer columns; it fixes them and completes the rest
    (a sub-MIP) to get a first incumbent. Vars unknown to the solver are skipped."""
    known = [(var_map[id(v)], x) for v, x in pairs if id(v) in var_map]
    if known:
        cols, values = zip(*known)
        h.setSolution(len(cols), np.array(cols, dtype=np.int32), np.array(values, dtype=float))


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
    h.setOptionValue("log_to_console", False)
    h.changeColsIntegrality(n, cols, np.full(n, highspy.HighsVarType.kContinuous))
    h.setOptionValue("time_limit", budget_s / 2)
    h.run()
    x = np.asarray(h.getSolution().col_value)
    h.changeColsIntegrality(n, cols, np.full(n, highspy.HighsVarType.kInteger))
    if len(x) != len(kind):
        return False
    ones = cols[np.abs(x[cols] - 1.0) < 1e-6]
    lower, upper = np.asarray(lp.col_lower_)[ones], np.asarray(lp.col_upper_)[ones]
    h.changeColsBounds(len(ones), ones, np.ones(len(ones)), np.ones(len(ones)))
    h.setOptionValue("time_limit", max(0.1, budget_s - (time.perf_counter() - t0)))
    h.setOptionValue("mip_rel_gap", 1e-4)
    h.run()
    found = h.getInfo().primal_solution_status == 2  # kSolutionStatusFeasible
    start = h.getSolution()
    h.changeColsBounds(len(ones), ones, lower, upper)
    if found:
        h.setSolution(start)
    return found


_POOL_THREADS: int | None = None


def _match_thread_pool(threads: int) -> None:
    """HiGHS keeps one process-wide thread pool; a run asking for another thread count fails
    ('unknown' status). Reset the pool when the count changes between solves."""
    global _POOL_THREADS
    if _POOL_THREADS is not None and _POOL_THREADS != threads:
        highspy.Highs.resetGlobalScheduler(True)
    _POOL_THREADS = threads


class Solver:
    """A persistent HiGHS instance: the model is handed over once, later solves only update."""

    def __init__(self, options: SolverOptions):
        self.options = options
        self._solver = _HighsWithStart()
        if not self._solver.available():
            raise SolverError("HiGHS (highspy) is not available in this environment")

    def set_start(self, pairs: list) -> None:
        """Partial MIP start for the next solve only: [(Pyomo var, value), ...]."""
        self._solver.partial_start = tuple(pairs)

    def _run(self, model, gap, time_limit):
        _match_thread_pool(self.options.threads)
        return self._solver.solve(
            model, rel_gap=gap, time_limit=max(time_limit, 0.1), threads=self.options.threads,
            load_solutions=False, raise_exception_on_nonoptimal_result=False,
            solver_options={"random_seed": 0})

    def solve(self, model) -> SolveReport:
        o = self.options
        start = time.perf_counter()
        budget = o.time_limit_s / 3 if o.mip_start == "lp_fix" else 0.0
        self._solver.start_budget_s = budget
        try:
            results = self._run(model, o.mip_gap, o.time_limit_s - budget)
            if results.solution_status == SolutionStatus.noSolution:
                # a stale basis from the previous window can stall the simplex: retry with a
                # fresh HiGHS instance (one more hand-over, seconds)
                self._solver = _HighsWithStart()
                results = self._run(model, o.mip_gap, o.time_limit_s)
        finally:
            self._solver.start_budget_s = 0.0
            self._solver.partial_start = ()
        elapsed = time.perf_counter() - start
        term = results.termination_condition
        if results.solution_status in (SolutionStatus.noSolution,) or term not in OK_TERMINATIONS:
            raise SolverError(f"HiGHS found no usable solution: {term.name} "
                              f"({results.solution_status.name})")
        results.solution_loader.load_vars()
        obj, bound = results.incumbent_objective, results.objective_bound
        status = "optimal" if term == TerminationCondition.convergenceCriteriaSatisfied \
            else "time_limit" if term == TerminationCondition.maxTimeLimit else term.name
        return SolveReport(status, term.name, float(obj), float(
            bound if bound is not None else math.nan), relative_gap(obj, bound), elapsed)
