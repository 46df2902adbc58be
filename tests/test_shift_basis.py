"""The shifted starting basis (`solver.shift_basis`, issue 27): where each status moves to,
and that the starting point changes nothing but the path to the optimum."""

from types import SimpleNamespace

import numpy as np
import pyomo.environ as pyo
import pytest
from test_rolling_horizon import _three_days, rolling

from gridmodel.model.shift import basis_permutation, step_map


def test_step_map_is_the_rotation_by_the_committed_steps():
    """6 steps, 2 committed: new steps 0-3 are old steps 2-5 (the same hours), and the two
    new hours take old steps 0-1, so every old status is used once."""
    assert list(step_map(6, 2)) == [2, 3, 4, 5, 0, 1]
    assert sorted(step_map(7, 3)) == list(range(7))


def test_statuses_move_by_hour_per_asset_and_only_for_full_step_sets():
    """x[g, t] for two assets and 4 steps, y[t] and a row per step, plus a first-step row.
    Column slots are numbered x[a,0..3] = 0-3, x[b,0..3] = 4-7, y[0..3] = 8-11, so with
    commit 1 column j takes the status of x[g, t+1] (wrapping within its asset); the
    first-step row (one step only) keeps its own status."""
    m = pyo.ConcreteModel()
    m.T = pyo.Set(initialize=range(4), ordered=True)
    m.G = pyo.Set(initialize=["a", "b"], ordered=True)
    m.x = pyo.Var(m.G, m.T)
    m.y = pyo.Var(m.T)
    m.bal = pyo.Constraint(m.T, rule=lambda m, t: m.y[t] == m.x["a", t] + m.x["b", t])
    m.first = pyo.Constraint(expr=m.y[0] >= 0)
    col_of = {id(m.x[g, t]): 4 * i + t for i, g in enumerate(m.G) for t in m.T}
    col_of |= {id(m.y[t]): 8 + t for t in m.T}
    row_of = {id(m.bal[t]): t for t in m.T} | {id(m.first): 4}
    mm = SimpleNamespace(col_of=col_of, row_of=row_of, n_cols=12, row_lo=np.zeros(5))
    cols, rows = basis_permutation(m, mm, 4, 1)
    assert list(cols) == [1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8]
    assert list(rows) == [1, 2, 3, 0, 4]


@pytest.mark.parametrize("window", [(24, 24), (12, 12)])
def test_a_shifted_start_reaches_the_same_relaxed_optimum(tmp_path, window):
    """The LP relaxation of the three-day system (relaxed commitment, so each window's LP
    optimum is unique in value) gives the same objective from either starting basis."""
    toml = rolling(*window).replace('"binary"', '"relaxed"')
    on = _three_days(tmp_path / "on", toml + "[solver]\nshift_basis = true\n")
    off = _three_days(tmp_path / "off", toml + "[solver]\nshift_basis = false\n")
    assert on.summary["objective_cny"] == pytest.approx(off.summary["objective_cny"],
                                                        rel=1e-9)
