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
operating cost per unit of size (the Benders cut's slope). One more column, the block's
curtailment budget (MWh), fixed by the master, with a penalised shortfall, carries an
absorption target.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..errors import CaseError

VECTORS = ("col_lo", "col_hi", "row_lo", "row_hi", "offset", "available")
RTOL, ATOL = 1e-7, 1e-6


@dataclass
class Window:
    """One block's numbers from one probe build."""

    vectors: dict          # VECTORS → array
    coefs: dict            # (row, col) → value
    used_cols: np.ndarray  # decision columns of renewable output (MW)


def read_window(built, start: int, dt_h: float) -> Window:
    """Set the probe's window at `start` (no carried state) and read its numbers."""
    from ..model.core import set_window

    set_window(built, start, None)
    data, ctx = built.ctx.window, built.ctx
    lo, hi = data.row_bounds()
    used, avail = [], 0.0
    for tech in built.techs:
        for used_var, avail_param, assets in tech.absorption(built.block(tech), ctx):
            used.append(data.reader.index(used_var, assets)[0])
            avail += dt_h * float(np.sum(ctx.values(avail_param, assets)))
    cols = np.concatenate(used) if used else np.zeros(0, dtype=np.int64)
    return Window({"col_lo": data.col_lo.copy(), "col_hi": data.col_hi.copy(), "row_lo": lo,
                   "row_hi": hi, "offset": np.array([data.objective_offset()]),
                   "available": np.array([avail])}, dict(data.coefs), cols[cols >= 0])


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
    """v(x) = v0 + D·x for every vector of one block (D sparse, len × k)."""

    v0: dict
    D: dict
    coefs: dict
    used_cols: np.ndarray


def dependence(base: Window, ends: list[Window], mid: Window, low: np.ndarray,
               high: np.ndarray, names: list[str]) -> Dependence:
    """Slopes from the base (all low) and the per-option upper probes; checked at `mid`."""
    for w, name in zip(ends, names):
        if w.coefs != base.coefs:
            raise nonlinear(name, "it changes coefficients the window sets")
    v0, D = {}, {}
    span = high - low
    for key in VECTORS:
        b = base.vectors[key]
        cols = []
        for w, name, s in zip(ends, names, span):
            cols.append(_slope(b, w.vectors[key], s, name))
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
    return Dependence(v0, D, base.coefs, base.used_cols)


def _slope(b: np.ndarray, e: np.ndarray, span: float, name: str) -> np.ndarray:
    inf = ~np.isfinite(b) | ~np.isfinite(e)
    if np.any(inf & (b != e)):
        raise nonlinear(name, "a bound turns infinite or finite with the size")
    with np.errstate(invalid="ignore"):
        out = np.where(inf, 0.0, (e - b) / span)
    out[np.abs(out) * span < ATOL * np.maximum(1.0, np.abs(np.where(inf, 0, b)))] = 0.0
    return out


@dataclass
class BlockLp:
    """min c·z + offset over z = (y, x, budget, shortfall); x and budget are fixed per solve."""

    A: sp.csc_array
    c: np.ndarray
    col_lo: np.ndarray
    col_hi: np.ndarray
    row_lo: np.ndarray
    row_hi: np.ndarray
    offset: float
    n_dec: int
    k: int
    available_mwh: float      # at x = 0
    available_slope: np.ndarray
    used_cols: np.ndarray
    dt_h: float
    basis: object = None

    @property
    def x_cols(self) -> np.ndarray:
        return np.arange(self.n_dec, self.n_dec + self.k)

    @property
    def budget_col(self) -> int:
        return self.n_dec + self.k

    def available_at(self, x: np.ndarray) -> float:
        return self.available_mwh + float(self.available_slope @ x)


def block_lp(A: sp.csr_array, c: np.ndarray, dep: Dependence, dt_h: float,
             penalty_cny_per_mwh: float) -> BlockLp:
    """The block's LP with the sizes, the curtailment budget and its shortfall as columns."""
    A = sp.csr_array(A, copy=True)
    for (row, col), value in dep.coefs.items():
        A[row, col] = value
    m, n = A.shape
    v0, D = dep.v0, dep.D
    k = D["col_lo"].shape[1]
    rlo, rhi, clo, chi = (v0[key].copy() for key in ("row_lo", "row_hi", "col_lo", "col_hi"))
    x_rows = sp.lil_array((m, k))
    extra_A, extra_X, extra_lo, extra_hi = [], [], [], []

    def moved_side(Dm, values, i, side):
        row = Dm[[i], :]
        extra_X.append(-row.toarray().ravel())
        extra_lo.append(values[i] if side == "lo" else -np.inf)
        extra_hi.append(values[i] if side == "hi" else np.inf)

    Dl, Dh = D["row_lo"], D["row_hi"]
    for i in sorted(set(_nonzero_rows(Dl)) | set(_nonzero_rows(Dh))):
        dl, dh = Dl[[i], :].toarray().ravel(), Dh[[i], :].toarray().ravel()
        if np.array_equal(dl, dh) and np.isfinite(rlo[i]) and np.isfinite(rhi[i]):
            x_rows[i, :] = -dl
            continue
        for d, side, values in ((dl, "lo", rlo), (dh, "hi", rhi)):
            if np.any(d):
                extra_A.append(A[[i], :])
                moved_side(Dl if side == "lo" else Dh, values, i, side)
                (rlo if side == "lo" else rhi)[i] = -np.inf if side == "lo" else np.inf
    Cl, Ch = D["col_lo"], D["col_hi"]
    for j in sorted(set(_nonzero_rows(Cl)) | set(_nonzero_rows(Ch))):
        unit = sp.csr_array(([1.0], ([0], [j])), shape=(1, n))
        for Dm, side, values in ((Cl, "lo", clo), (Ch, "hi", chi)):
            if Dm[[j], :].nnz:
                extra_A.append(unit)
                moved_side(Dm, values, j, side)
                (clo if side == "lo" else chi)[j] = -np.inf if side == "lo" else np.inf
    used = dep.used_cols
    target = sp.csr_array((np.full(len(used), -dt_h), (np.zeros(len(used), int), used)),
                          shape=(1, n))
    avail_slope = D["available"].toarray().ravel()
    top = sp.hstack([A, sp.csr_array(x_rows), sp.csr_array((m, 2))])
    rows = [top]
    if extra_A:
        rows.append(sp.hstack([sp.vstack(extra_A), sp.csr_array(np.array(extra_X)),
                               sp.csr_array((len(extra_A), 2))]))
    rows.append(sp.hstack([target, sp.csr_array(avail_slope[None, :]),
                           sp.csr_array(np.array([[-1.0, -1.0]]))]))
    avail0 = float(v0["available"][0])
    return BlockLp(
        A=sp.csc_array(sp.vstack(rows)),
        c=np.concatenate([c, D["offset"].toarray().ravel(), [0.0, penalty_cny_per_mwh]]),
        col_lo=np.concatenate([clo, np.zeros(k), [0.0, 0.0]]),
        col_hi=np.concatenate([chi, np.zeros(k), [0.0, np.inf]]),
        row_lo=np.concatenate([rlo, extra_lo, [-np.inf]]),
        row_hi=np.concatenate([rhi, extra_hi, [-avail0]]),
        offset=float(v0["offset"][0]), n_dec=n, k=k, available_mwh=avail0,
        available_slope=avail_slope, used_cols=used, dt_h=dt_h)


def _nonzero_rows(Dm: sp.csr_array) -> np.ndarray:
    return np.flatnonzero(np.diff(sp.csr_array(Dm).indptr))


@dataclass
class BlockSolution:
    cost_cny: float
    slope_cny: np.ndarray    # ∂cost/∂x per option
    budget_price_cny_per_mwh: float   # ∂cost/∂budget (≤ 0)
    curtailed_mwh: float
    available_mwh: float
    solve_time_s: float


def solve_block(lp: BlockLp, x: np.ndarray, budget_mwh: float,
                threads: int = 1) -> BlockSolution:
    """The block at sizes x with a curtailment budget; keeps its basis for the next call."""
    from ..solve import solve_arrays

    lo, hi = lp.col_lo.copy(), lp.col_hi.copy()
    lo[lp.x_cols] = hi[lp.x_cols] = x
    lo[lp.budget_col] = hi[lp.budget_col] = budget_mwh
    res = solve_arrays(lp.A, lp.c, lo, hi, lp.row_lo, lp.row_hi, lp.offset, lp.basis,
                       threads=threads)
    lp.basis = res.basis
    avail = lp.available_at(x)
    used = lp.dt_h * float(np.sum(res.x[lp.used_cols]))
    return BlockSolution(res.objective, res.col_dual[lp.x_cols].copy(),
                         float(res.col_dual[lp.budget_col]), avail - used, avail,
                         res.solve_time_s)
