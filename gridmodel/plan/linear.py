"""The window model as a function of the option sizes, read off the compiled model itself.

The planning case (commitment relaxed, every store cyclic in each block) is built at probe
sizes: all options at their lower end, each one at its upper end, and all at their midpoints.
Sizes may move only bounds, right-hand sides and the objective offset (a battery's energy
bounds its content, an e-boiler's rating its draw); then each of those is affine in the
sizes, v(x) = v0 + D x, with D read from the probes and checked at the midpoint probe. A size
that changes a coefficient (a minimum load times commitment) is refused by name: such an
option is given as values and enumerated instead.

A block LP then carries the sizes as columns: a bound that moves becomes a row
`y − D x ≤ v0`, a row side that moves gets `− D x`, and the offset's slope is the sizes'
cost. With the sizes fixed, the reduced cost of each size column is the block's marginal
operating cost per unit of size (the Benders cut's slope). A budget column per quantity the
master limits (curtailment for an absorption target, CO2 for a cap), fixed by the master,
with a penalised shortfall, carries those limits into the block.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..errors import CaseError

VECTORS = ("col_lo", "col_hi", "row_lo", "row_hi", "offset")
RTOL, ATOL = 1e-7, 1e-6
CURTAILMENT, CO2 = "curtailment_mwh", "co2_t"


@dataclass
class Window:
    """One block's numbers from one probe build; `budgets`: name → (coefficients over the
    decision columns, constant) of the quantity, e.g. curtailed MWh = Σ dt·avail − Σ dt·used."""

    vectors: dict
    coefs: dict
    budgets: dict


def read_window(built, start: int, dt_h: float, budgets=(CURTAILMENT,)) -> Window:
    """Set the probe's window at `start` (no carried state) and read its numbers."""
    from ..model.core import set_window

    set_window(built, start, None)
    data = built.ctx.window
    lo, hi = data.row_bounds()
    vectors = {"col_lo": data.col_lo.copy(), "col_hi": data.col_hi.copy(), "row_lo": lo,
               "row_hi": hi, "offset": np.array([data.objective_offset()])}
    found = {name: READERS[name](built, start, dt_h) for name in budgets}
    for name, (_, const) in found.items():
        vectors[f"budget_{name}"] = np.array([const])
    return Window(vectors, dict(data.coefs), found)


def _declared_sum(built, start: int, dt_h: float, hook: str, term):
    """Σ over every technology's `hook` declarations of `term(ctx, declaration, live)` →
    (component, weights per element, constant), as (coefficients over the decision
    columns, constant)."""
    ctx = built.ctx
    coef, const = np.zeros(built.matrix.n_cols), 0.0
    live = dt_h * (np.arange(ctx.n_steps) < ctx.steps_in_data(start))
    for tech in built.techs:
        for declared in getattr(tech, hook)(built.block(tech), ctx):
            comp, w, extra = term(ctx, declared, live)
            c, k = _linear(ctx, comp, declared[-1], w)
            coef += c
            const += k + extra
    return coef, const


def _curtailment(built, start, dt_h):
    """Σ dt·(available − used) over the technologies' `absorption` declarations."""
    def term(ctx, declared, live):
        used, avail, assets = declared
        w = np.tile(live, len(assets))
        return used, -w, float(np.sum(w * ctx.values(avail, assets).ravel()))
    return _declared_sum(built, start, dt_h, "absorption", term)


def _co2(built, start, dt_h):
    """Σ dt·(t CO2 per MWh)·output over the technologies' `emissions` declarations."""
    def term(ctx, declared, live):
        comp, rate, assets = declared
        return comp, np.outer([rate[a] for a in assets], live).ravel(), 0.0
    return _declared_sum(built, start, dt_h, "emissions", term)


READERS = {CURTAILMENT: _curtailment, CO2: _co2}


def _linear(ctx, comp, assets, w: np.ndarray):
    """Σ w·comp[a, t] as (coefficients over the decision columns, constant)."""
    reader = ctx.window.reader
    n = reader.mm.n_cols
    coef = np.zeros(n)
    if comp.ctype.__name__ == "Var":
        col, par, fixed = reader.index(comp, assets)
        np.add.at(coef, col[col >= 0], w[col >= 0])
        const = float(w[par >= 0] @ reader.p[par[par >= 0]]) + float(w @ fixed)
        return coef, const
    M, fixed = reader.index(comp, assets)
    row = sp.csr_array(w[None, :]) @ M
    dense = row.toarray().ravel()
    return dense[:n], float(dense[n:] @ reader.p) + float(w @ fixed)


def same_structure(base, other, option: str) -> None:
    """The probe's matrix equals the base's: sizes may move bounds, never coefficients."""
    a, b = base.matrix, other.matrix
    same = (a.A.shape == b.A.shape and np.array_equal(a.A.indptr, b.A.indptr)
            and np.array_equal(a.A.indices, b.A.indices)
            and np.allclose(a.A.data, b.A.data, rtol=RTOL, atol=0)
            and np.allclose(a.c, b.c, rtol=RTOL, atol=0))
    if not same:
        raise nonlinear(option, "it changes the window model's coefficients or shape")


def nonlinear(option: str, why: str) -> CaseError:
    return CaseError("plan", option, f"not a linear size: {why}",
                     "a column that bounds operation (MW, MWh); give a retrofit or a unit "
                     "count as values (=V1,V2) to enumerate it")


@dataclass
class Dependence:
    """v(x) = v0 + D·x for every vector of one block (D sparse, len × k); the budgets'
    coefficients (the same at every probe)."""

    v0: dict
    D: dict
    coefs: dict
    budgets: dict


def dependence(base: Window, ends: list[Window], mid: Window, low: np.ndarray,
               high: np.ndarray, names: list[str]) -> Dependence:
    """Slopes from the base (all low) and the per-option upper probes; checked at `mid`."""
    for w, name in zip(ends + [mid], names + [", ".join(names)]):
        if w.coefs != base.coefs:
            raise nonlinear(name, "it changes coefficients the window sets")
        for key, (coef, _) in w.budgets.items():
            if not np.allclose(coef, base.budgets[key][0], rtol=RTOL, atol=0):
                raise nonlinear(name, f"it changes what counts toward {key}")
    v0, D = {}, {}
    span = high - low
    for key in base.vectors:
        b = base.vectors[key]
        cols = [_slope(b, w.vectors[key], s, name) for w, name, s in zip(ends, names, span)]
        Dk = sp.csr_array(np.column_stack(cols)) if cols else sp.csr_array((len(b), 0))
        with np.errstate(invalid="ignore"):
            v0[key] = np.where(np.isfinite(b), b - Dk @ low, b)
        D[key] = Dk
        expect = np.where(np.isfinite(b), v0[key] + Dk @ ((high + low) / 2), b)
        got = mid.vectors[key]
        bad = ~(np.isclose(got, expect, rtol=RTOL, atol=ATOL) | (got == expect))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            who = [names[j] for j in Dk[[i], :].indices] or names
            raise nonlinear(", ".join(who), f"{key}[{i}] is {got[i]:.6g} at the midpoint, "
                            f"{expect[i]:.6g} on the line through the ends")
    return Dependence(v0, D, base.coefs, {k: c for k, (c, _) in base.budgets.items()})


def _slope(b: np.ndarray, e: np.ndarray, span: float, name: str) -> np.ndarray:
    inf = ~np.isfinite(b) | ~np.isfinite(e)
    if np.any(inf & (b != e)):
        raise nonlinear(name, "a bound turns infinite or finite with the size")
    with np.errstate(invalid="ignore"):
        out = np.where(inf, 0.0, (e - b) / span)
    out[np.abs(out) * span < ATOL * np.maximum(1.0, np.abs(np.where(inf, 0, b)))] = 0.0
    return out


class BudgetConstants:
    """A block's budget constants as affine functions of the sizes (needs `budgets`,
    `const0`, `slope`): shared by the block LP and its summary on another worker."""

    def constant_at(self, name: str, x: np.ndarray) -> float:
        j = self.budgets.index(name)
        return float(self.const0[j] + self.slope[j] @ x)

    def available_at(self, x: np.ndarray) -> float:
        """Renewable energy available (MWh): the curtailment's constant."""
        return self.constant_at(CURTAILMENT, x)


@dataclass
class BlockLp(BudgetConstants):
    """min c·z + offset over z = (y, x, budgets, shortfalls); x and the budgets are fixed per
    solve. Budget j: quantity_j(y, x) = coef_j·y + const_j + slope_j·x ≤ budget_j + shortfall_j."""

    A: sp.csc_array
    c: np.ndarray
    col_lo: np.ndarray
    col_hi: np.ndarray
    row_lo: np.ndarray
    row_hi: np.ndarray
    offset: float
    n_dec: int
    k: int
    budgets: tuple            # budget names
    const0: np.ndarray        # each budget's constant at x = 0
    slope: np.ndarray         # (budgets × k)
    coef: sp.csr_array        # (budgets × n_dec)
    basis: object = None

    @property
    def x_cols(self) -> np.ndarray:
        return np.arange(self.n_dec, self.n_dec + self.k)

    @property
    def budget_cols(self) -> np.ndarray:
        return np.arange(self.n_dec + self.k, self.n_dec + self.k + len(self.budgets))


class _Moved:
    """Rows added for bounds and row sides that move with the sizes: [A-part | x-part]."""

    def __init__(self):
        self.A, self.X, self.lo, self.hi = [], [], [], []

    def add(self, a_row, d_row: np.ndarray, value: float, side: str) -> None:
        """a_row·y − d_row·x ≥ value (side lo) or ≤ value (side hi)."""
        self.A.append(a_row)
        self.X.append(-d_row)
        self.lo.append(value if side == "lo" else -np.inf)
        self.hi.append(value if side == "hi" else np.inf)


def _move_rows(A, v0, D, moved: _Moved):
    """Row sides in the sizes: an equality-like row with one slope gets −D x in place, any
    other moving side becomes a row of its own (and leaves the original row)."""
    m, k = A.shape[0], D["row_lo"].shape[1]
    rlo, rhi = v0["row_lo"].copy(), v0["row_hi"].copy()
    x_rows = sp.lil_array((m, k))
    Dl, Dh = D["row_lo"], D["row_hi"]
    for i in sorted(set(_nonzero_rows(Dl)) | set(_nonzero_rows(Dh))):
        dl, dh = Dl[[i], :].toarray().ravel(), Dh[[i], :].toarray().ravel()
        if np.array_equal(dl, dh) and np.isfinite(rlo[i]) and np.isfinite(rhi[i]):
            x_rows[i, :] = -dl
            continue
        for d, side, values in ((dl, "lo", rlo), (dh, "hi", rhi)):
            if np.any(d):
                moved.add(A[[i], :], d, values[i], side)
                values[i] = -np.inf if side == "lo" else np.inf
    return rlo, rhi, sp.csr_array(x_rows)


def _move_cols(n: int, v0, D, moved: _Moved):
    """Column bounds in the sizes: each moving side becomes a row y_j − D_j x ≷ v0_j."""
    clo, chi = v0["col_lo"].copy(), v0["col_hi"].copy()
    Cl, Ch = D["col_lo"], D["col_hi"]
    for j in sorted(set(_nonzero_rows(Cl)) | set(_nonzero_rows(Ch))):
        unit = sp.csr_array(([1.0], ([0], [j])), shape=(1, n))
        for Dm, side, values in ((Cl, "lo", clo), (Ch, "hi", chi)):
            if Dm[[j], :].nnz:
                moved.add(unit, Dm[[j], :].toarray().ravel(), values[j], side)
                values[j] = -np.inf if side == "lo" else np.inf
    return clo, chi


def block_lp(A: sp.csr_array, c: np.ndarray, dep: Dependence, penalties: dict) -> BlockLp:
    """The block's LP with the sizes, the budgets and their shortfalls as columns;
    `penalties`: budget name → CNY per unit of shortfall."""
    A = sp.csr_array(A, copy=True)
    for (row, col), value in dep.coefs.items():
        A[row, col] = value
    (m, n), v0, D = A.shape, dep.v0, dep.D
    k, names = D["col_lo"].shape[1], tuple(penalties)
    nb, moved = len(names), _Moved()
    rlo, rhi, x_rows = _move_rows(A, v0, D, moved)
    clo, chi = _move_cols(n, v0, D, moved)
    coef = sp.csr_array(np.vstack([dep.budgets[b] for b in names])) if nb \
        else sp.csr_array((0, n))
    slope = np.vstack([D[f"budget_{b}"].toarray().ravel() for b in names]) if nb \
        else np.zeros((0, k))
    const0 = np.array([float(v0[f"budget_{b}"][0]) for b in names])
    rows = [sp.hstack([A, x_rows, sp.csr_array((m, 2 * nb))])]
    if moved.A:
        rows.append(sp.hstack([sp.vstack(moved.A), sp.csr_array(np.array(moved.X)),
                               sp.csr_array((len(moved.A), 2 * nb))]))
    if nb:  # coef·y + slope·x − budget − shortfall ≤ −const0
        rows.append(sp.hstack([coef, sp.csr_array(slope),
                               sp.csr_array(-np.hstack([np.eye(nb), np.eye(nb)]))]))
    return BlockLp(
        A=sp.csc_array(sp.vstack(rows)),
        c=np.concatenate([c, D["offset"].toarray().ravel(), np.zeros(nb),
                          [penalties[b] for b in names]]),
        col_lo=np.concatenate([clo, np.zeros(k), np.zeros(2 * nb)]),
        col_hi=np.concatenate([chi, np.zeros(k), np.zeros(nb), np.full(nb, np.inf)]),
        row_lo=np.concatenate([rlo, moved.lo, np.full(nb, -np.inf)]),
        row_hi=np.concatenate([rhi, moved.hi, -const0]),
        offset=float(v0["offset"][0]), n_dec=n, k=k, budgets=names, const0=const0,
        slope=slope, coef=coef)


def _nonzero_rows(Dm: sp.csr_array) -> np.ndarray:
    return np.flatnonzero(np.diff(sp.csr_array(Dm).indptr))


@dataclass
class BlockSolution:
    cost_cny: float
    slope_cny: np.ndarray     # ∂cost/∂x per option
    budget_price: np.ndarray  # ∂cost/∂budget per budget (≤ 0)
    amount: np.ndarray        # each budget's quantity at the solution (curtailed MWh, t CO2)
    available_mwh: float
    solve_time_s: float

    @property
    def curtailed_mwh(self) -> float:
        return float(self.amount[0])


def solve_block(lp: BlockLp, x: np.ndarray, budget: np.ndarray,
                threads: int = 1) -> BlockSolution:
    """The block at sizes x and budgets; keeps its basis for the next call."""
    from ..solve import solve_arrays

    lo, hi = lp.col_lo.copy(), lp.col_hi.copy()
    lo[lp.x_cols] = hi[lp.x_cols] = x
    lo[lp.budget_cols] = hi[lp.budget_cols] = budget
    res = solve_arrays(lp.A, lp.c, lo, hi, lp.row_lo, lp.row_hi, lp.offset, lp.basis,
                       threads=threads)
    lp.basis = res.basis
    y = res.x[:lp.n_dec]
    amount = lp.coef @ y + lp.const0 + lp.slope @ x
    return BlockSolution(res.objective, res.col_dual[lp.x_cols].copy(),
                         res.col_dual[lp.budget_cols].copy(), np.asarray(amount, dtype=float),
                         lp.available_at(x), res.solve_time_s)
