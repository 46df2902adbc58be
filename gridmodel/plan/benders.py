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

from .linear import CO2, CURTAILMENT, BlockLp, solve_block
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
    max_co2_t: float | None = None

    @property
    def k(self) -> int:
        return len(self.names)

    @property
    def budgets(self) -> tuple:
        return self.blocks[0].budgets

    def budget_bounds(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Each block's budget range in the master: curtailment up to what the block has
        available (fixed there without a target: it never binds); CO2 up to the cap."""
        nb = len(self.blocks)
        if name == CURTAILMENT:
            top = np.array([max(b.available_at(self.low), b.available_at(self.high))
                            for b in self.blocks])
            return (top if self.min_absorption_pct is None else np.zeros(nb)), top
        return np.zeros(nb), np.full(nb, float(self.max_co2_t))

    def start_budgets(self, x: np.ndarray) -> np.ndarray:
        """(blocks × budgets) that meet the limit rows: a target's allowance pro rata to each
        block's availability, a cap in equal shares."""
        out = []
        for name in self.budgets:
            _, hi = self.budget_bounds(name)
            if name == CURTAILMENT and self.min_absorption_pct is not None:
                share = 1.0 - self.min_absorption_pct / 100.0
                out.append(np.array([share * b.available_at(x) for b in self.blocks]))
            elif name == CO2:
                out.append(np.full(len(self.blocks), self.max_co2_t / len(self.blocks)))
            else:
                out.append(hi)
        return np.column_stack(out)


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
    co2_t: float = float("nan")      # CO2 of the plan (with a cap)
    co2_price_cny_per_t: float = 0.0 # what one t less would cost (cap binding)


class Master:
    """The investment LP; columns x (k), θ (blocks), budgets (budget-major: budget j of
    block b at budget + j·blocks + b), capex aux (terms)."""

    def __init__(self, p: Problem):
        self.p, nb, k, nt = p, len(p.blocks), p.k, len(p.capex)
        nj = len(p.budgets)
        self.nb, self.n = nb, k + nb * (1 + nj) + nt
        self.theta, self.budget, self.aux = k, k + nb, k + nb * (1 + nj)
        self.cuts: list[tuple[np.ndarray, np.ndarray, float]] = []  # (cols, coefs, lo)
        bounds = [p.budget_bounds(name) for name in p.budgets]
        self.col_lo = np.concatenate([p.low, np.full(nb, -np.inf)] + [lo for lo, _ in bounds]
                                     + [np.zeros(nt)])
        self.col_hi = np.concatenate([p.high, np.full(nb, np.inf)] + [hi for _, hi in bounds]
                                     + [np.full(nt, np.inf)])
        self.c = np.concatenate([np.zeros(k), np.ones(nb), np.zeros(nb * nj),
                                 [t.annuity_cny_per_unit * p.run_fraction for t in p.capex]])
        self.fixed_rows = self._fixed_rows()

    def budget_cols(self, j: int) -> np.ndarray:
        return self.budget + j * self.nb + np.arange(self.nb)

    def budgets_of(self, x: np.ndarray) -> np.ndarray:
        """(blocks × budgets) from a master solution."""
        return np.column_stack([x[self.budget_cols(j)] for j in range(len(self.p.budgets))])

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
                         p.max_capex_cny - p.fixed_capex_cny, "capex"))
        for j, name in enumerate(p.budgets):
            cols = list(self.budget_cols(j))
            if name == CURTAILMENT and p.min_absorption_pct is not None:
                share = 1.0 - p.min_absorption_pct / 100.0
                slope = sum(b.slope[j] for b in p.blocks)
                const = sum(b.const0[j] for b in p.blocks)
                rows.append((cols + list(range(p.k)), [1.0] * self.nb + list(-share * slope),
                             -np.inf, share * const, "target"))
            elif name == CO2:
                rows.append((cols, [1.0] * self.nb, -np.inf, p.max_co2_t, "co2_cap"))
        return rows

    def add_cut(self, b: int, x: np.ndarray, budget: np.ndarray, sol) -> None:
        """θ_b ≥ cost + g·(x' − x) + μ·(budget' − budget)."""
        nj = len(self.p.budgets)
        cols = np.concatenate([[self.theta + b], np.arange(self.p.k),
                               self.budget + np.arange(nj) * self.nb + b])
        coefs = np.concatenate([[1.0], -sol.slope_cny, -sol.budget_price])
        lo = sol.cost_cny - float(sol.slope_cny @ x) - float(sol.budget_price @ budget)
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
    master = Master(p)
    if cuts is not None:
        master.cuts = cuts
    x = p.low.copy()
    budget = p.start_budgets(x)   # a start that meets the limit rows: a valid upper bound
    if cuts:  # start where the earlier cuts put the optimum
        res, _ = master.solve()
        x, budget = np.clip(res.x[:p.k], p.low, p.high), master.budgets_of(res.x)
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
        budget = master.budgets_of(res.x)
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
    co2 = math.fsum(s.amount[p.budgets.index(CO2)] for s in sols) if CO2 in p.budgets \
        else float("nan")
    return PlanResult(
        sizes=sizes, capex_cny=capex, capex_for_run_cny=capex * p.run_fraction,
        operating_cny=math.fsum(s.cost_cny for s in sols), total_cny=upper,
        lower_bound_cny=lower, gap_pct=100.0 * (upper - lower) / max(abs(upper), 1e-9),
        curtailed_mwh=curtailed, available_mwh=avail,
        absorption_pct=100.0 * (1.0 - curtailed / avail) if avail > 0 else float("nan"),
        target_price_cny_per_mwh=price, marginal=marginal(p, x, sols),
        iterations=iterations, fixed=dict(p.fixed), unreachable=_unreachable(p, x, sols, co2),
        co2_t=co2, co2_price_cny_per_t=-float(res.row_dual[tags["co2_cap"]])
        if "co2_cap" in tags else 0.0)


def _unreachable(p: Problem, x: np.ndarray, sols, co2: float) -> str:
    """Why the plan misses its target or cap: the curtailment (CO2) above what they allow
    that no size in range removes, and the options standing at their upper end (the limits
    that bind); empty when both are met."""
    at_top = [n for n, v, hi in zip(p.names, x, p.high) if v >= hi - 1e-6 * max(1.0, abs(hi))]
    tail = (f"; options at their upper end: {', '.join(at_top) or 'none'} (widen their ranges "
            "or add options; the blocks pay the shortfall penalty for the rest)")
    out = []
    if p.min_absorption_pct is not None:
        curtailed = math.fsum(s.curtailed_mwh for s in sols)
        avail = math.fsum(s.available_mwh for s in sols)
        allowed = (1.0 - p.min_absorption_pct / 100.0) * avail
        if curtailed > allowed + 1e-6 * avail + 1e-6:  # block LPs' tolerance on the year
            out.append(f"absorption {100.0 * (1.0 - curtailed / avail):.2f} % < target "
                       f"{p.min_absorption_pct:g} %: {curtailed - allowed:,.1f} MWh more "
                       "curtailment than the target allows at the cheapest sizes")
    if p.max_co2_t is not None and co2 > p.max_co2_t * (1 + 1e-6) + 1e-6:
        out.append(f"CO2 {co2:,.1f} t > cap {p.max_co2_t:,.1f} t at the cheapest sizes")
    return "; ".join(out) + tail if out else ""


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
    with the master's capex, budget and limit rows (exact; for small cases and tests).
    Returns (total cost for the run, sizes)."""
    from ..solve import solve_arrays

    master, k, nj = Master(p), p.k, len(p.budgets)
    widths = [lp.n_dec + nj for lp in p.blocks]   # each block's own columns: y, shortfalls
    offsets = np.concatenate([[master.n], master.n + np.cumsum(widths)])
    rr, cc, vv, lo, hi, r0 = [], [], [], [], [], 0
    for b, lp in enumerate(p.blocks):
        A = sp.csc_array(lp.A)
        n = lp.n_dec
        own = sp.hstack([A[:, :n], A[:, n + k + nj:n + k + 2 * nj]]).tocoo()
        shared = A[:, n:n + k + nj].tocoo()
        target = np.concatenate([np.arange(k), master.budget + np.arange(nj) * master.nb + b])
        rr += [own.row + r0, shared.row + r0]
        cc += [own.col + offsets[b], target[shared.col]]
        vv += [own.data, shared.data]
        lo.append(lp.row_lo)
        hi.append(lp.row_hi)
        r0 += A.shape[0]
    for i, (cols, vals, _, _, _) in enumerate(master.fixed_rows):
        rr.append(np.full(len(cols), r0 + i))
        cc.append(np.asarray(cols))
        vv.append(np.asarray(vals, dtype=float))
    rows = r0 + len(master.fixed_rows)
    A = sp.csc_array((np.concatenate(vv), (np.concatenate(rr), np.concatenate(cc))),
                     shape=(rows, int(offsets[-1])))
    theta = slice(master.theta, master.budget)
    mc, mlo, mhi = master.c.copy(), master.col_lo.copy(), master.col_hi.copy()
    mc[theta], mlo[theta], mhi[theta] = 0.0, 0.0, 0.0   # no estimates: the blocks are here
    mc[:k] = sum(lp.c[lp.n_dec:lp.n_dec + k] for lp in p.blocks)
    c = np.concatenate([mc] + [np.r_[lp.c[:lp.n_dec], lp.c[lp.n_dec + k + nj:]]
                               for lp in p.blocks])
    col_lo = np.concatenate([mlo] + [np.r_[lp.col_lo[:lp.n_dec], np.zeros(nj)]
                                     for lp in p.blocks])
    col_hi = np.concatenate([mhi] + [np.r_[lp.col_hi[:lp.n_dec], np.full(nj, np.inf)]
                                     for lp in p.blocks])
    fixed = master.fixed_rows
    res = solve_arrays(A, c, col_lo, col_hi,
                       np.concatenate(lo + [np.array([f[2] for f in fixed])]),
                       np.concatenate(hi + [np.array([f[3] for f in fixed])]),
                       sum(lp.offset for lp in p.blocks))
    return res.objective + p.fixed_capex_cny * p.run_fraction, dict(zip(p.names,
                                                                       res.x[:k].tolist()))
