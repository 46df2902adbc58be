"""The only module that names HiGHS: a persistent solver, options, MIP start, status → report."""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass

import highspy
import pyomo.environ as pyo
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
    """Pyomo's persistent HiGHS interface, able to hand HiGHS a MIP start (current values)."""

    use_start = False

    def _solve(self):
        if self.use_start:
            values = [0.0] * len(self._pyomo_var_to_solver_var_map)
            for var_id, col in self._pyomo_var_to_solver_var_map.items():
                value = self._vars[var_id][0].value
                values[col] = 0.0 if value is None else float(value)
            start = highspy.HighsSolution()
            start.col_value = values
            start.value_valid = True
            self._solver_model.setSolution(start)
        return super()._solve()


def integer_vars(model) -> list:
    return [v for v in model.component_data_objects(pyo.Var, active=True)
            if v.is_integer() and not v.fixed]


class Solver:
    """A persistent HiGHS instance: the model is handed over once, later solves only update."""

    def __init__(self, options: SolverOptions):
        self.options = options
        self._solver = _HighsWithStart()
        if not self._solver.available():
            raise SolverError("HiGHS (highspy) is not available in this environment")

    def _run(self, model, gap, time_limit):
        return self._solver.solve(
            model, rel_gap=gap, time_limit=max(time_limit, 0.1), threads=self.options.threads,
            load_solutions=False, raise_exception_on_nonoptimal_result=False,
            solver_options={"random_seed": 0})

    def solve(self, model) -> SolveReport:
        o = self.options
        start = time.perf_counter()
        self._solver.use_start = False
        if o.mip_start == "lp_fix" and integer_vars(model):
            self._solver.use_start = self._lp_and_fix(model, o.time_limit_s / 3)
        left = o.time_limit_s - (time.perf_counter() - start)
        results = self._run(model, o.mip_gap, left)
        self._solver.use_start = False
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

    def _lp_and_fix(self, model, budget_s: float) -> bool:
        """MIP start: solve the LP relaxation, fix the integers it leaves integral, solve
        the small MIP left over; its schedule becomes the start of the full solve."""
        ints = integer_vars(model)
        saved = [(v, v.domain, v.lower, v.upper, v.bounds) for v in ints]
        t0 = time.perf_counter()
        for v, _, _, _, (lo, hi) in saved:
            v.domain = pyo.Reals
            v.setlb(lo)
            v.setub(hi)
        lp = self._run(model, 0.0, budget_s)
        for v, dom, lower, upper, _ in saved:
            v.domain = dom
            v.lower, v.upper = lower, upper
        if lp.solution_status in (SolutionStatus.noSolution,):
            return False
        lp.solution_loader.load_vars()
        fixed = [v for v in ints if abs(v.value - round(v.value)) < 1e-6]
        for v in fixed:
            v.fix(round(v.value))
        left = budget_s - (time.perf_counter() - t0)
        part = self._run(model, 1e-4, left)
        ok = part.solution_status not in (SolutionStatus.noSolution,)
        if ok:
            part.solution_loader.load_vars()
        for v in fixed:
            v.unfix()
        return ok
