"""The only module that names HiGHS: a persistent solver, options, status → report."""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass

from pyomo.contrib.solver.common.factory import SolverFactory
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition

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


class Solver:
    """A persistent HiGHS instance: the model is handed over once, later solves only update."""

    def __init__(self, options: SolverOptions):
        self.options = options
        self._solver = SolverFactory("highs")
        if not self._solver.available():
            raise SolverError("HiGHS (highspy) is not available in this environment")

    def solve(self, model, warm_start: bool = False) -> SolveReport:
        o = self.options
        start = time.perf_counter()
        results = self._solver.solve(
            model, rel_gap=o.mip_gap, time_limit=o.time_limit_s, threads=o.threads,
            load_solutions=False, raise_exception_on_nonoptimal_result=False,
            solver_options={"mip_rel_gap": o.mip_gap, "random_seed": 0})
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
