"""The window LP's size by block: rows, columns and nonzeros per model component (issue 27).

Usage: .venv/bin/python benchmarks/lp_size.py [CASE] [--set key=value ...] [--markdown]

Builds one window of the case (window + look-ahead steps) as `gridmodel run` does, compiles it
and groups the matrix by the Pyomo component each row and column belongs to (the technology
block and the constraint or variable name). Prints the totals and a table, largest first.
"""

from __future__ import annotations

import argparse
from collections import Counter

import numpy as np


def lp_table(case) -> dict:
    """{'rows': Counter, 'cols': Counter, 'nnz': Counter (by row owner), totals} of the
    compiled window matrix (what HiGHS is given: decision columns, ranged rows as one)."""
    import pyomo.environ as pyo

    from gridmodel.horizon import build_window_model
    from gridmodel.model.techs import TECHNOLOGIES
    from gridmodel.network.loader import system_from_case
    from gridmodel.windows import window_steps

    system = system_from_case(case, TECHNOLOGIES)
    built = build_window_model(case, system)
    steps = sum(window_steps(case, system))
    mm = built.matrix
    nnz_row = np.diff(mm.A.indptr)
    out = {"rows": Counter(), "cols": Counter(), "nnz": Counter()}
    for con in built.model.component_data_objects(pyo.Constraint, active=True):
        row = mm.row_of.get(id(con))
        if row is not None:
            name = con.parent_component().name
            out["rows"][name] += 1
            out["nnz"][name] += int(nnz_row[row])
    for var in built.model.component_data_objects(pyo.Var):
        if id(var) in mm.col_of:
            out["cols"][var.parent_component().name] += 1
    out["totals"] = (mm.A.shape[0], mm.A.shape[1], mm.A.nnz, steps)
    return out


def _group(name: str) -> str:
    """The block a component belongs to: 'thermal.start_cat' → 'thermal'."""
    return name.split(".", 1)[0] if "." in name else "(system) " + name


def print_table(t: dict, markdown: bool) -> None:
    rows, cols, nnz, steps = t["totals"]
    print(f"window of {steps} steps: {rows:,} rows, {cols:,} columns, {nnz:,} nonzeros")
    by_block: dict = {}
    for name in set(t["rows"]) | set(t["cols"]):
        g = by_block.setdefault(_group(name), [0, 0, 0])
        g[0] += t["rows"].get(name, 0)
        g[1] += t["cols"].get(name, 0)
        g[2] += t["nnz"].get(name, 0)
    print("| block | rows | columns | nonzeros (of its rows) | share of nonzeros |")
    print("|---|---|---|---|---|")
    for g, (r, c, z) in sorted(by_block.items(), key=lambda kv: -kv[1][2]):
        print(f"| {g} | {r:,} | {c:,} | {z:,} | {100 * z / nnz:.1f} % |")
    if not markdown:
        print("\ncomponents, by nonzeros:")
        for name, z in t["nnz"].most_common(40):
            print(f"  {name:60s} rows {t['rows'][name]:6d}  nnz {z:7d}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", nargs="?", default="cases/jilin-2016.toml")
    parser.add_argument("--set", dest="sets", action="append", default=[])
    parser.add_argument("--markdown", action="store_true", help="the block table only")
    args = parser.parse_args(argv)
    from gridmodel.case import load_case

    print_table(lp_table(load_case(args.case, args.sets)), args.markdown)


if __name__ == "__main__":
    main()
