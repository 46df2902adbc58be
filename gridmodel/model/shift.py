"""A window's starting basis moved to its own hours (issue 27).

Window w + 1 starts `commit` steps after window w, so its first n − commit steps are the
hours of w's look-ahead. Read unshifted, the basis would give step t of the new window the
status step t had `commit` steps earlier. Shifted, step t takes the status of the same hour
in the old window (t + commit) where the old window has it, and the remaining steps take the
old window's first steps in order. The map is a permutation of steps, applied per component
and asset, so the numbers of basic columns and rows are kept.
Components without a full set of steps (e.g. first-step ramp rows) keep their statuses.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pyomo.environ as pyo


def step_map(n_steps: int, commit: int) -> np.ndarray:
    """src[t]: the old window's step whose status the new window's step t takes: the same
    hour (t + commit) for the look-ahead's steps, then the old window's first steps in order
    (a rotation, so every old step is used once)."""
    return (np.arange(n_steps) + commit) % n_steps


def _time_position(comp, T) -> int | None:
    """Position of the step in the component's index (None: not indexed by steps)."""
    index = comp.index_set()
    if index is T:
        return 0
    subsets = list(index.subsets(False)) if hasattr(index, "subsets") else []
    return len(subsets) - 1 if len(subsets) > 1 and subsets[-1] is T else None


def _permutation(model, ctype, slot_of: dict, size: int, src: np.ndarray) -> np.ndarray:
    """For each row (column) the row (column) whose status it takes."""
    perm = np.arange(size)
    groups: dict = defaultdict(dict)
    for comp in model.component_objects(ctype, active=True if ctype is pyo.Constraint
                                        else None, descend_into=True):
        pos = _time_position(comp, model.T)
        if pos is None:
            continue
        for key, data in comp.items():
            slot = slot_of.get(id(data))
            if slot is None:
                continue
            key = key if isinstance(key, tuple) else (key,)
            groups[(id(comp), key[:pos] + key[pos + 1:])][key[pos]] = slot
    n = len(src)
    for steps in groups.values():
        if len(steps) == n:  # a full set of steps; others keep their own statuses
            slots = np.array([steps[t] for t in range(n)])
            perm[slots] = slots[src]
    return perm


def basis_permutation(model, mm, n_steps: int, commit: int):
    """(columns, rows): for each decision column and row of the compiled window, the column
    or row of the previous window's basis whose status it starts from."""
    src = step_map(n_steps, commit)
    cols = _permutation(model, pyo.Var, mm.col_of, mm.n_cols, src)
    rows = _permutation(model, pyo.Constraint, mm.row_of, len(mm.row_lo), src)
    return cols, rows
