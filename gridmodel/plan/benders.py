"""Benders decomposition over time blocks: an investment master (sizes, one cost estimate
and one curtailment budget per block, capex, targets) and the blocks' LPs at the master's
sizes, whose costs and reduced costs give one cut per block and iteration (multi-cut).

Each block's cost is convex and piecewise linear in (sizes, budget): an LP's optimal value
as a function of its right-hand sides and bounds. So every cut is a valid lower bound, the
master's optimum is a lower bound of the plan's total cost, and the best sizes evaluated so
far an upper bound; the loop stops when they are within `gap_pct`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import scipy.sparse as sp

from .linear import BlockLp, solve_block
from .options import Capex


@dataclass
class Problem:
    names: list[str]
    low: np.ndarray
    high: np.ndarray
    blocks: list[BlockLp]
    capex: list[Capex]
    run_fraction: float                 # run hours / 8760: capex share of the run
    min_absorption_pct: float | None = None
    max_capex_cny: float | None = None
    fixed: dict = field(default_factory=dict)   # discrete options' values in this problem
    fixed_capex_cny: float = 0.0                # their annualised capex (per year)
    build_s: float = 0.0
    solver: object = None   # (x, budgets) → block solutions; None: the blocks here, in turn

    @property
    def k(self) -> int:
        return len(self.names)

    def budget_max_mwh(self) -> np.ndarray:
        """The most a block can curtail: its availability at the larger end of the sizes."""
        return np.array([max(b.available_at(self.low), b.available_at(self.high))
                         for b in self.blocks])


@dataclass
class Iteration:
    sizes: dict
    upper_cny: float
    lower_cny: float
    gap_pct: float
    solve_s: float


@dataclass
class PlanResult:
    sizes: dict
    capex_cny: float                 # annualised, per year
    capex_for_run_cny: float
    operating_cny: float             # Σ block LP costs (operating + penalties) at the sizes
    total_cny: float
    lower_bound_cny: float
    gap_pct: float
    curtailed_mwh: float
    available_mwh: float
    absorption_pct: float
    target_price_cny_per_mwh: float  # what one more MWh absorbed would cost (target binding)
    marginal: dict                   # option → saving / annuity per unit at the optimum
    iterations: list[Iteration]
    fixed: dict = field(default_factory=dict)
    unreachable: str = ""            # why the target is not met, when it is not


class Master:
    """The investment LP; columns x (k), θ (blocks), budget (blocks), capex aux (terms)."""

    def __init__(self, p: Problem):
        self.p, nb, k, nt = p, len(p.blocks), p.k, len(p.capex)
        self.n = k + 2 * nb + nt
        self.theta, self.budget, self.aux = k, k + nb, k + 2 * nb
        self.cuts: list[tuple[np.ndarray, np.ndarray, float]] = []  # (cols, coefs, lo)
        amax = p.budget_max_mwh()
        self.col_lo = np.concatenate([p.low, np.full(nb, -np.inf),
                                      amax if p.min_absorption_pct is None else np.zeros(nb),
                                      np.zeros(nt)])
        self.col_hi = np.concatenate([p.high, np.full(nb, np.inf), amax, np.full(nt, np.inf)])
        self.c = np.concatenate([np.zeros(k), np.ones(nb), np.zeros(nb),
                                 [t.annuity_cny_per_unit * p.run_fraction for t in p.capex]])
        self.fixed_rows = self._fixed_rows()

    def _fixed_rows(self) -> list:
        p, rows = self.p, []
        for i, t in enumerate(p.capex):  # aux ≥ ±(f·x − base)
            o = p.names.index(t.option)
            sign = -1.0 if t.reduction else 1.0
            rows.append(([self.aux + i, o], [1.0, -sign * t.factor], -sign * t.base, np.inf,
                         None))
        if p.max_capex_cny is not None and p.capex:
            rows.append((list(range(self.aux, self.aux + len(p.capex))),
                         [t.annuity_cny_per_unit for t in p.capex], -np.inf,
                         p.max_capex_cny - p.fixed_capex_cny,
                         "capex"))
        if p.min_absorption_pct is not None:
            share = 1.0 - p.min_absorption_pct / 100.0
            slope = sum(b.available_slope for b in p.blocks)
            avail0 = sum(b.available_mwh for b in p.blocks)
            cols = list(range(self.budget, self.budget + len(p.blocks))) + list(range(p.k))
            rows.append((cols, [1.0] * len(p.blocks) + list(-share * slope), -np.inf,
                         share * avail0, "target"))
        return rows

    def add_cut(self, b: int, x: np.ndarray, budget: float, sol) -> None:
        """θ_b ≥ cost + g·(x' − x) + μ·(budget' − budget)."""
        cols = np.concatenate([[self.theta + b], np.arange(self.p.k), [self.budget + b]])
        coefs = np.concatenate([[1.0], -sol.slope_cny, [-sol.budget_price_cny_per_mwh]])
        lo = sol.cost_cny - float(sol.slope_cny @ x) - sol.budget_price_cny_per_mwh * budget
        self.cuts.append((cols, coefs, lo))

    def solve(self):
        from ..solve import solve_arrays

        rows = [(c, v, lo, hi, tag) for c, v, lo, hi, tag in self.fixed_rows]
        rows += [(c, v, lo, np.inf, None) for c, v, lo in self.cuts]
        r = np.repeat(np.arange(len(rows)), [len(x[0]) for x in rows])
        cols = np.concatenate([np.asarray(x[0]) for x in rows])
        vals = np.concatenate([np.asarray(x[1], dtype=float) for x in rows])
        A = sp.csc_array((vals, (r, cols)), shape=(len(rows), self.n))
        res = solve_arrays(A, self.c, self.col_lo, self.col_hi,
                           np.array([x[2] for x in rows]), np.array([x[3] for x in rows]))
        tags = {x[4]: i for i, x in enumerate(rows) if x[4]}
        return res, tags


def plan(p: Problem, gap_pct: float, max_iterations: int, progress=None,
         cuts: list | None = None) -> PlanResult:
    """Iterate blocks and master until the bounds meet; the best sizes evaluated win.
    `cuts`: an earlier plan's cuts of the same blocks (valid for any target or budget); the
    list is extended in place."""
    master, nb = Master(p), len(p.blocks)
    if cuts is not None:
        master.cuts = cuts
    x, budget = p.low.copy(), master.col_hi[master.budget:master.budget + nb].copy()
    if p.min_absorption_pct is not None:  # a start that meets the target row: budgets pro rata
        share = 1.0 - p.min_absorption_pct / 100.0
        budget = np.array([share * b.available_at(x) for b in p.blocks])
    if cuts:  # start where the earlier cuts put the optimum
        res, _ = master.solve()
        x, budget = np.clip(res.x[:p.k], p.low, p.high), res.x[master.budget:master.budget + nb]
    best, iterations, lower = None, [], -math.inf
    for it in range(max_iterations):
        t0 = time.perf_counter()
        sols = (p.solver or partial(solve_blocks, p.blocks))(x, budget)
        for b, sol in enumerate(sols):
            master.add_cut(b, x, budget[b], sol)
        upper = capex_for_run(p, x) + math.fsum(s.cost_cny for s in sols)
        if best is None or upper < best[0]:
            best = (upper, x.copy(), sols)
        last = master.solve()
        res = last[0]
        lower = max(lower, res.objective + p.fixed_capex_cny * p.run_fraction)
        gap = 100.0 * (best[0] - lower) / max(abs(best[0]), 1e-9)
        iterations.append(Iteration(dict(zip(p.names, x.tolist())), upper, lower, gap,
                                    time.perf_counter() - t0))
        if progress:
            progress(it, iterations[-1])
        if gap <= gap_pct:
            break
        x = np.clip(res.x[:p.k], p.low, p.high)
        budget = res.x[master.budget:master.budget + nb]
    return _result(p, best, lower, iterations, last)


def solve_blocks(blocks: list[BlockLp], x: np.ndarray, budget: np.ndarray) -> list:
    """Every block at sizes x; a block not solved before starts from the basis of the block
    before it (same shape: the year's windows restart the same way)."""
    sols = []
    for b, lp in enumerate(blocks):
        if lp.basis is None and b and _fits(blocks[b - 1], lp):
            lp.basis = blocks[b - 1].basis
        sols.append(solve_block(lp, x, budget[b]))
    return sols


def _fits(prev: BlockLp, lp: BlockLp) -> bool:
    return prev.basis is not None and prev.A.shape == lp.A.shape


def capex_for_run(p: Problem, x: np.ndarray) -> float:
    """Annualised capex of the sizes and the fixed discrete options, for the run's length."""
    from .options import capex_cny

    return (capex_cny(p.capex, dict(zip(p.names, x))) + p.fixed_capex_cny) * p.run_fraction


def _result(p: Problem, best, lower: float, iterations, last) -> PlanResult:
    from .options import capex_cny

    upper, x, sols = best
    sizes = dict(zip(p.names, x.tolist()))
    capex = capex_cny(p.capex, sizes) + p.fixed_capex_cny
    curtailed = math.fsum(s.curtailed_mwh for s in sols)
    avail = math.fsum(s.available_mwh for s in sols)
    res, tags = last
    price = -float(res.row_dual[tags["target"]]) if "target" in tags else 0.0
    return PlanResult(
        sizes=sizes, capex_cny=capex, capex_for_run_cny=capex * p.run_fraction,
        operating_cny=math.fsum(s.cost_cny for s in sols), total_cny=upper,
        lower_bound_cny=lower, gap_pct=100.0 * (upper - lower) / max(abs(upper), 1e-9),
        curtailed_mwh=curtailed, available_mwh=avail,
        absorption_pct=100.0 * (1.0 - curtailed / avail) if avail > 0 else float("nan"),
        target_price_cny_per_mwh=price, marginal=marginal(p, x, sols),
        iterations=iterations, fixed=dict(p.fixed), unreachable=_unreachable(p, x, sols))


def _unreachable(p: Problem, x: np.ndarray, sols) -> str:
    """Why the plan misses its absorption target: the curtailment above the target that no
    size in range removes, and the options standing at their upper end (the limits that
    bind); empty when the target is met or there is none."""
    if p.min_absorption_pct is None:
        return ""
    curtailed = math.fsum(s.curtailed_mwh for s in sols)
    avail = math.fsum(s.available_mwh for s in sols)
    allowed = (1.0 - p.min_absorption_pct / 100.0) * avail
    if curtailed <= allowed * (1 + 1e-6) + 1e-6:
        return ""
    at_top = [n for n, v, hi in zip(p.names, x, p.high) if v >= hi - 1e-6 * max(1.0, abs(hi))]
    return (f"absorption {100.0 * (1.0 - curtailed / avail):.2f} % < target "
            f"{p.min_absorption_pct:g} %: {curtailed - allowed:,.1f} MWh more curtailment "
            f"than the target allows at the cheapest sizes; options at their upper end: "
            f"{', '.join(at_top) or 'none'} (widen their ranges or add options; the blocks "
            f"pay plan.shortfall_penalty_cny_per_mwh for the rest)")


def marginal(p: Problem, x: np.ndarray, sols) -> dict:
    """Per option and unit of size at the plan: the operating saving (−Σ block slopes), the
    capex for the run (its right derivative) and net = saving − capex (≈ 0 inside the range
    at the optimum; > 0 at the upper end: the option would pay beyond its range)."""
    saving = -sum(s.slope_cny for s in sols)
    out = {}
    for o, name in enumerate(p.names):
        capex = 0.0
        for t in (t for t in p.capex if t.option == name):
            value = t.factor * x[o]
            if t.reduction and value < t.base - 1e-9:
                capex -= t.annuity_cny_per_unit * t.factor * p.run_fraction
            elif not t.reduction and value >= t.base - 1e-9:
                capex += t.annuity_cny_per_unit * t.factor * p.run_fraction
        out[name] = {"saving_cny_per_unit": float(saving[o]), "capex_cny_per_unit": capex,
                     "net_cny_per_unit": float(saving[o]) - capex}
    return out


def monolithic(p: Problem):
    """The same plan as one LP: every block's rows side by side, sharing the size columns,
    with the master's capex, budget and target rows (exact; for small cases and tests).
    Returns (total cost for the run, sizes)."""
    from ..solve import solve_arrays

    master, k = Master(p), p.k
    # columns: master's (x, θ unused, budget, aux), then each block's own (y, shortfall)
    widths = [lp.n_dec + 1 for lp in p.blocks]
    offsets = np.concatenate([[master.n], master.n + np.cumsum(widths)])
    n = int(offsets[-1])
    parts, lo, hi = [], [], []
    for b, lp in enumerate(p.blocks):
        A = sp.csc_array(lp.A)
        own = sp.hstack([A[:, :lp.n_dec], A[:, [lp.n_dec + k + 1]]]).tocoo()
        shared = sp.hstack([A[:, lp.n_dec:lp.n_dec + k], A[:, [lp.n_dec + k]]]).tocoo()
        rows = [own.row, shared.row]
        cols = [own.col + offsets[b], np.where(shared.col < k, shared.col,
                                                master.budget + b)]
        parts.append((np.concatenate(rows), np.concatenate(cols),
                      np.concatenate([own.data, shared.data]), A.shape[0]))
        lo.append(lp.row_lo)
        hi.append(lp.row_hi)
    fixed = master.fixed_rows
    r0, rr, cc, vv = 0, [], [], []
    for rows, cols, vals, m in parts:
        rr.append(rows + r0)
        cc.append(cols)
        vv.append(vals)
        r0 += m
    for i, (cols, vals, rlo, rhi, _) in enumerate(fixed):
        rr.append(np.full(len(cols), r0 + i))
        cc.append(np.asarray(cols))
        vv.append(np.asarray(vals, dtype=float))
    A = sp.csc_array((np.concatenate(vv), (np.concatenate(rr), np.concatenate(cc))),
                     shape=(r0 + len(fixed), n))
    theta = slice(master.theta, master.budget)
    mc, mlo, mhi = master.c.copy(), master.col_lo.copy(), master.col_hi.copy()
    mc[theta], mlo[theta], mhi[theta] = 0.0, 0.0, 0.0   # no estimates: the blocks are here
    mc[:k] = sum(lp.c[lp.n_dec:lp.n_dec + k] for lp in p.blocks)
    c = np.concatenate([mc] + [np.r_[lp.c[:lp.n_dec], lp.c[-1]] for lp in p.blocks])
    col_lo = np.concatenate([mlo] + [np.r_[lp.col_lo[:lp.n_dec], 0.0] for lp in p.blocks])
    col_hi = np.concatenate([mhi] + [np.r_[lp.col_hi[:lp.n_dec], np.inf] for lp in p.blocks])
    res = solve_arrays(A, c, col_lo, col_hi,
                       np.concatenate(lo + [np.array([f[2] for f in fixed])]),
                       np.concatenate(hi + [np.array([f[3] for f in fixed])]),
                       sum(lp.offset for lp in p.blocks))
    return res.objective + p.fixed_capex_cny * p.run_fraction, dict(zip(p.names,
                                                                       res.x[:k].tolist()))
