"""The plan benchmark on the 2016 year (issue 28, docs/plan.md "Jilin 2016 plan").

    python benchmarks/plan_2016.py plan [CASE] [WORKERS]  # gridmodel plan CASE (default
                                           # cases/jilin-2016-plan.toml, 2 workers, ≈ 10 min)
    python benchmarks/plan_2016.py sweep [P1,P2,…]   # the 3 × 3 × 3 grid of the same
                                           # options (≈ 110 min), or the points named
    python benchmarks/plan_2016.py collect # the finished grid points so far into the table
    python benchmarks/plan_2016.py table   # the plan beside the sweep's best point

`plan` appends its figures to benchmarks/plan_results.jsonl; `sweep` writes every grid
point's verified total (operating cost + penalties + capex for the run) to
benchmarks/plan_sweep_2016.csv. Both are run by hand, not by `make test`.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CASE = ROOT / "cases" / "jilin-2016-plan.toml"
GRID = {  # option → (sweep values, columns moving with it: (column, factor))
    "eboiler_baicheng": ((0, 1000, 2000), "electric_boiler.electric_boiler_baicheng",
                         (("p_max_mw", 1.0),)),
    "heat_storage_changchun": ((0, 6000, 12000), "heat_storage.heat_storage_changchun",
                               (("e_max_mwh_th", 1.0), ("p_in_max_mw_th", 0.16667),
                                ("p_out_max_mw_th", 0.16667))),
    "battery_baicheng": ((0, 500, 1000), "battery.battery_baicheng",
                         (("p_out_max_mw", 1.0), ("p_in_max_mw", 1.0), ("e_max_mwh", 4.0))),
}


def _commit() -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, check=False,
                          capture_output=True, text=True).stdout.strip()


def run_plan(case: Path = CASE, workers: int = 2, out: Path = Path("/tmp/plan-2016"),
             extra: tuple = ()) -> dict:
    t0 = time.perf_counter()
    subprocess.run([str(Path(sys.executable).with_name("gridmodel")), "plan", str(case),
                    "--out", str(out), "--force", "--workers", str(workers), *extra],
                   cwd=ROOT, check=True)
    plan = json.loads((out / "plan.json").read_text())
    row = {"commit": _commit(), "case": Path(case).name, "workers": workers,
           "args": list(extra), "wall_s": time.perf_counter() - t0,
           "plan_time_s": plan["plan_time_s"], "build_time_s": plan["build_time_s"],
           "iterations": len(plan["result"]["iterations"]), "sizes": plan["result"]["sizes"],
           "plan_total_cny": plan["result"]["total_cny"],
           "gap_pct": plan["result"]["gap_pct"],
           "plan_absorption_pct": plan["result"]["absorption_pct"],
           "verified": plan.get("verification", {})}
    with open(HERE / "plan_results.jsonl", "a") as f:
        f.write(json.dumps(row) + "\n")
    return row


def run_grid(out: Path = Path("/tmp/plan-2016-sweep"), workers: int = 2,
             points: list[str] | None = None) -> None:
    """The grid (or the named points of it, in that order: e.g. 1000_12000_0); points whose
    folder holds a finished run of the same case are skipped."""

    from gridmodel.sweep import Scenario, run_sweep

    items = []
    for values in itertools.product(*[g[0] for g in GRID.values()]):
        sets = [f"{asset}.{col}={float(f * v)!r}"
                for v, (_, asset, cols) in zip(values, GRID.values()) for col, f in cols]
        items.append(Scenario("_".join(f"{v:g}" for v in values), sets))
    if points:
        by_name = {s.name: s for s in items}
        items = [by_name[name] for name in points]
    run_sweep(CASE, items, out, workers)
    collect(out)


def collect(out: Path = Path("/tmp/plan-2016-sweep")) -> None:
    """Every finished grid point's verified total into benchmarks/plan_sweep_2016.csv."""
    import pandas as pd

    rows = []
    for folder in sorted(p for p in out.iterdir() if (p / "summary.json").is_file()):
        summary = json.loads((folder / "summary.json").read_text())
        sizes = dict(zip(GRID, (float(v) for v in folder.name.split("_"))))
        extra = summary.get("capex_for_run_cny", 0.0)
        rows.append({**sizes, "operating_cost_cny": summary["operating_cost_cny"],
                     "penalty_cost_cny": summary["penalty_cost_cny"],
                     "capex_for_run_cny": extra,
                     "total_cny": summary["operating_cost_cny"] + summary["penalty_cost_cny"]
                     + extra,
                     "renewable_absorption_pct": summary["renewable_absorption_pct"],
                     "wind_curtailment_pct": summary["wind_curtailment_pct"]})
    frame = pd.DataFrame(rows)
    frame.insert(0, "commit", _commit())
    kept = HERE / "plan_sweep_2016.csv"
    if kept.is_file():  # points measured before keep their row and the commit they ran on
        old = pd.read_csv(kept)
        new = ~frame.set_index(list(GRID)).index.isin(old.set_index(list(GRID)).index)
        frame = pd.concat([old, frame[new]])
    frame.sort_values("total_cny").to_csv(kept, index=False)


def table() -> None:
    import pandas as pd

    grid = pd.read_csv(HERE / "plan_sweep_2016.csv")
    plan = [json.loads(line) for line in (HERE / "plan_results.jsonl").read_text().splitlines()]
    best, last = grid.iloc[0], plan[-1]
    print(f"sweep best ({best['commit']}): {best['total_cny']:,.0f} CNY at "
          + ", ".join(f"{k}={best[k]:g}" for k in GRID))
    v = last["verified"]
    print(f"plan ({last['commit']}): verified {v.get('total_cny', float('nan')):,.0f} CNY at "
          + ", ".join(f"{k}={x:,.0f}" for k, x in last["sizes"].items())
          + f"; plan estimate {last['plan_total_cny']:,.0f}; {last['plan_time_s']:.0f} s")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "plan"
    if command == "sweep" and len(sys.argv) > 2:
        run_grid(points=sys.argv[2].split(","))
    elif command == "plan" and len(sys.argv) > 2:
        run_plan(Path(sys.argv[2]).resolve(), int(sys.argv[3]) if len(sys.argv) > 3 else 2,
                 extra=tuple(sys.argv[4:]))
    else:
        {"plan": run_plan, "sweep": run_grid, "collect": collect, "table": table}[command]()
