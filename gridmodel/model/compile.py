"""The built window model as matrices, once: Pyomo → (A, bounds, costs) and index maps.

Window parameters (demand, availability, initial state …) are Pyomo Vars registered with
`ModelContext.param`; here their columns are split off, so each window's data enter as
row-bound shifts `A_param @ p` and an objective offset `c_param · p` — numpy work, no Pyomo.
Results are read back by column index (Vars) or as sparse rows (linear Expressions).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.repn.linear import LinearRepnVisitor
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

INF = np.inf


@dataclass
class MatrixModel:
    """min c·x + c_param·p + offset  s.t. row_lo − A_param p ≤ A x ≤ row_hi − A_param p."""

    A: sp.csr_array            # rows × decision columns
    A_param: sp.csr_array      # rows × parameter columns
    row_lo: np.ndarray
    row_hi: np.ndarray
    col_lo: np.ndarray
    col_hi: np.ndarray
    c: np.ndarray
    c_param: np.ndarray
    offset: float
    integer: np.ndarray        # bool per decision column
    col_of: dict               # id(VarData) → decision column
    param_of: dict             # id(VarData) → parameter column
    row_of: dict               # id(ConstraintData) → row (a ranged constraint is one row)
    n_param: int

    @property
    def n_cols(self) -> int:
        return len(self.c)


def compile_model(model: pyo.ConcreteModel, params: list) -> MatrixModel:
    """Compile the model (minimise); `params`: Var components that carry window data."""
    info = LinearStandardFormCompiler().write(model, mixed_form=True)
    cols = info.columns
    param_ids = {id(v) for comp in params for v in comp.values()}
    is_param = np.array([id(v) in param_ids for v in cols], dtype=bool)
    dec, par = np.flatnonzero(~is_param), np.flatnonzero(is_param)
    A = sp.csc_array(info.A)
    rhs = np.asarray(info.rhs, dtype=float)
    sense = np.array([r[1] for r in info.rows], dtype=int)
    lo = np.where(sense <= 0, rhs, -INF)   # mixed form: 1 ≤, 0 =, −1 ≥
    hi = np.where(sense >= 0, rhs, INF)
    rows, keep = _ranged_rows(info.rows, sense, lo)
    if not keep.all():
        A, lo, hi = sp.csc_array(sp.csr_array(A)[keep]), lo[keep], hi[keep]
    c = np.asarray(info.c.toarray()).ravel() if info.c.shape[0] else np.zeros(len(cols))
    bounds = np.array([(_num(v.lb, -INF), _num(v.ub, INF)) for v in cols]).reshape(-1, 2)
    row_of = {id(con): i for i, con in enumerate(rows)}
    return MatrixModel(
        A=sp.csr_array(A[:, dec]), A_param=sp.csr_array(A[:, par]), row_lo=lo, row_hi=hi,
        col_lo=bounds[dec, 0].copy(), col_hi=bounds[dec, 1].copy(), c=c[dec], c_param=c[par],
        offset=float(info.c_offset[0]) if len(info.c_offset) else 0.0,
        integer=np.array([cols[j].is_integer() for j in dec], dtype=bool),
        col_of={id(cols[j]): i for i, j in enumerate(dec)},
        param_of={id(cols[j]): i for i, j in enumerate(par)}, row_of=row_of, n_param=len(par))


def _ranged_rows(entries, sense: np.ndarray, lo: np.ndarray):
    """Pyomo writes a ranged constraint lo ≤ body ≤ hi as two rows (≤ then ≥); HiGHS takes
    it as one row with both bounds: half the rows, the same feasible set. Fills `lo` of the
    ≤ row from its ≥ twin; returns (constraint of every kept row, keep mask)."""
    cons = [entry[0] for entry in entries]
    ids = np.array([id(c) for c in cons], dtype=np.int64)
    twin = np.zeros(len(cons), dtype=bool)
    twin[1:] = (sense[1:] == -1) & (sense[:-1] == 1) & (ids[1:] == ids[:-1])
    lo[np.flatnonzero(twin) - 1] = lo[twin]
    keep = ~twin
    return [c for c, k in zip(cons, keep) if k], keep


def _num(value, default: float) -> float:
    return default if value is None else float(value)


def element_keys(component, assets, n_steps: int) -> list:
    """Index keys of component elements in (asset × t) order; assets None = indexed by t only;
    a component without a time index takes one key per asset."""
    if assets is None:
        return list(range(n_steps))
    assets = list(assets)
    if component.dim() == 1:
        return assets
    return [(*a, t) if isinstance(a, tuple) else (a, t) for a in assets for t in range(n_steps)]


class Reader:
    """Solved values of Vars and linear Expressions as arrays, by cached column indices."""

    def __init__(self, mm: MatrixModel, n_steps: int):
        self.mm, self.n = mm, n_steps
        self.x = np.zeros(mm.n_cols)
        self.p = np.zeros(mm.n_param)
        self.y = np.zeros(len(mm.row_lo))  # row duals of the fixed-commitment LP
        self._maps: dict = {}
        self._rows: dict = {}

    def duals(self, con, assets=None) -> np.ndarray:
        """Row duals of a constraint's elements, shaped like `values` (0 where absent)."""
        key = (id(con), None if assets is None else tuple(assets))
        if key not in self._rows:
            keys = element_keys(con, assets, self.n)
            self._rows[key] = np.array([self.mm.row_of.get(id(con[k]), -1) if k in con
                                        else -1 for k in keys], dtype=np.int64)
        rows = self._rows[key]
        out = np.where(rows >= 0, self.y[np.maximum(rows, 0)], 0.0)
        return _shape(out, assets, con, self.n)

    def _var_map(self, comp, keys):
        """(decision idx, parameter idx, constant) per element; -1 where not that kind."""
        col = np.array([self.mm.col_of.get(id(comp[k]), -1) for k in keys], dtype=np.int64)
        par = np.array([self.mm.param_of.get(id(comp[k]), -1) for k in keys], dtype=np.int64)
        const = np.array([comp[k].value or 0.0 if col[i] < 0 and par[i] < 0 else 0.0
                          for i, k in enumerate(keys)], dtype=float)
        return col, par, const

    def _expr_map(self, comp, keys):
        """Rows of (decision | parameter) coefficients and constants of linear expressions."""
        visitor = LinearRepnVisitor({})
        ndec = self.mm.n_cols
        rows, cols, vals, const = [], [], [], np.zeros(len(keys))
        for i, k in enumerate(keys):
            repn = visitor.walk_expression(comp[k].expr if hasattr(comp[k], "expr") else comp[k])
            const[i] = float(pyo.value(repn.constant))
            for vid, coef in repn.linear.items():
                var = visitor.var_map[vid]
                j = self.mm.col_of.get(id(var))
                j = j if j is not None else ndec + self.mm.param_of.get(id(var), -ndec - 1)
                if j < 0:
                    const[i] += coef * (var.value or 0.0)
                    continue
                rows.append(i)
                cols.append(j)
                vals.append(coef)
        M = sp.csr_array((vals, (rows, cols)), shape=(len(keys), ndec + self.mm.n_param))
        return M, const

    def keys(self, comp, assets=None) -> list:
        return element_keys(comp, assets, self.n)

    def index(self, comp, assets=None):
        """Cached (decision idx, parameter idx, constant) of a Var's elements."""
        key = (id(comp), None if assets is None else tuple(assets))
        if key not in self._maps:
            keys = self.keys(comp, assets)
            self._maps[key] = self._var_map(comp, keys) if comp.ctype is pyo.Var \
                else self._expr_map(comp, keys)
        return self._maps[key]

    def values(self, comp, assets=None) -> np.ndarray:
        """(asset × t) values (or (asset,) / (t,) for components with one index)."""
        m = self.index(comp, assets)
        if comp.ctype is pyo.Var:
            col, par, const = m
            out = const.copy()
            out[col >= 0] = self.x[col[col >= 0]]
            out[par >= 0] = self.p[par[par >= 0]]
        else:
            M, const = m
            out = M @ np.concatenate([self.x, self.p]) + const
        return _shape(out, assets, comp, self.n)


def _shape(flat: np.ndarray, assets, comp, n: int) -> np.ndarray:
    if assets is None or comp.dim() == 1:
        return flat
    return flat.reshape(len(list(assets)), n)
