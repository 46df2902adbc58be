"""What a plan writes: plan.json, plan.csv, plan.xlsx (Plan, Iterations, Frontier sheets),
plan.png (convergence and frontier) and plan_case.toml, the chosen portfolio as a runnable
case (the verification run's input)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd
import tomli_w

from ..case import apply_sets


def portfolio_sets(options, result) -> list[str]:
    """`--set` items of the chosen sizes (continuous and discrete options)."""
    sizes = {**result.fixed, **result.sizes}
    return [s for o in options for s in o.sets(sizes[o.name])]


def case_text(case_file: Path, folder: Path, name: str, sets: list[str], options,
              result) -> str:
    """The portfolio as a case: the planned case plus its --set items and the sizes."""
    raw = apply_sets({}, list(sets) + portfolio_sets(options, result))
    head = {"extends": os.path.relpath(Path(case_file).resolve(), folder.resolve()),
            "name": name,
            "description": f"portfolio of `gridmodel plan` on {Path(case_file).name}"}
    return tomli_w.dumps({**head, **raw})


def option_rows(options, result) -> pd.DataFrame:
    """One row per option: size, range, marginal saving and capex per unit, rank."""
    rows = []
    for o in options:
        m = result.marginal.get(o.name, {})
        size = result.sizes.get(o.name, result.fixed.get(o.name))
        rows.append({"option": o.name, "table": o.table, "asset": o.asset,
                     "column": o.unit, "linked": "+".join(f"{c}*{f:g}" for c, f in o.columns[1:]),
                     "size": size, "low": o.low, "high": o.high,
                     "kind": "values" if o.discrete else "range",
                     "saving_cny_per_unit": m.get("saving_cny_per_unit"),
                     "capex_cny_per_unit": m.get("capex_cny_per_unit"),
                     "net_cny_per_unit": m.get("net_cny_per_unit")})
    frame = pd.DataFrame(rows)
    # saving per unit of capex at the plan: dimensionless, so options of different units rank
    ratio = frame["saving_cny_per_unit"] / frame["capex_cny_per_unit"].where(
        frame["capex_cny_per_unit"] > 0)
    frame["saving_per_capex"] = ratio
    frame["rank"] = ratio.fillna(np.inf).rank(ascending=False, method="min")
    return frame


def plan_json(case, options, result, meta: dict) -> dict:
    r = asdict(result)
    r["iterations"] = [asdict(i) for i in result.iterations]
    return {"case": case.name, "options": [asdict(o) for o in options], "result": r, **meta}


def write_outputs(folder, case, options, result, meta: dict, frontier=None) -> None:
    """Every file to a temporary name in the plan folder, then renamed into place."""
    rows = option_rows(options, result)
    folder.write_text("plan.json", json.dumps(plan_json(case, options, result, meta),
                                              indent=2, default=str) + "\n")
    folder.write_text("plan.csv", rows.to_csv(index=False))
    iters = pd.DataFrame([{**asdict(i), **{f"size_{k}": v for k, v in i.sizes.items()}}
                          for i in result.iterations]).drop(columns="sizes")
    front = pd.DataFrame(frontier or [])
    folder.replace("plan.xlsx", lambda tmp: _workbook(tmp, rows, iters, front, result))
    folder.replace("plan.png", lambda tmp: _figure(tmp, iters, front))


def _workbook(path, rows, iters, front, result) -> None:
    totals = pd.DataFrame([{"key": k, "value": getattr(result, k)} for k in (
        "total_cny", "capex_cny", "capex_for_run_cny", "operating_cny", "lower_bound_cny",
        "gap_pct", "absorption_pct", "curtailed_mwh", "available_mwh",
        "target_price_cny_per_mwh", "co2_t", "co2_price_cny_per_t")])
    with pd.ExcelWriter(path, engine="xlsxwriter") as xl:
        rows.to_excel(xl, sheet_name="Plan", index=False)
        totals.to_excel(xl, sheet_name="Plan", index=False, startrow=len(rows) + 2)
        iters.to_excel(xl, sheet_name="Iterations", index=False)
        if len(front):
            front.to_excel(xl, sheet_name="Frontier", index=False)


def _figure(path, iters, front) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2 if len(front) else 1, figsize=(10 if len(front) else 5.5, 4),
                             squeeze=False)
    ax = axes[0, 0]
    ax.plot(iters.index + 1, iters["upper_cny"] / 1e9, "o-", label="upper bound (sizes tried)")
    ax.plot(iters.index + 1, iters["lower_cny"] / 1e9, "s-", label="lower bound (master)")
    ax.set(xlabel="Benders iteration", ylabel="total cost (bn CNY)", title="plan convergence")
    ax.legend()
    if len(front):
        ax = axes[0, 1]
        ax.plot(front["absorption_pct"], front["total_cny"] / 1e9, "o-")
        ax.set(xlabel="renewable absorption (%)", ylabel="total cost (bn CNY)",
               title="cost of absorption (frontier)")
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=110)
    plt.close(fig)
