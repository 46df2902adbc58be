"""Full-year rolling-horizon benchmark on a case (default: the Jilin 2016 baseline).

Usage: .venv/bin/python benchmarks/jilin_year.py [CASE] [--set key=value ...]
       .venv/bin/python benchmarks/jilin_year.py --from-run results/jilin-2016
Prints one table row and one JSON line (wall time, Σ solve, Python overhead outside HiGHS,
peak memory, per-window gap p50/p95/max, windows at the time limit, and the KPIs the accuracy
bar compares: wind curtailment, operating cost, unserved heat, thermal starts) and appends
the JSON to benchmarks/results.jsonl.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

KPIS = ("wind_curtailment_pct", "operating_cost_cny", "unserved_heat_mwh",
        "thermal_starts_count", "excess_energy_mwh", "windows_fallback_count")


def figures(info: dict, wall_s: float, summary: dict) -> dict:
    windows = info["windows"]
    gaps = np.array([w["mip_gap"] for w in windows], dtype=float)
    solve = np.array([w["solve_time_s"] for w in windows])
    update = np.array([w["update_time_s"] for w in windows])
    extract = np.array([w.get("extract_time_s", 0.0) for w in windows])
    build = info["build_time_s"]
    return {
        "windows": len(windows), "blocks": summary.get("blocks_count", 1),
        "wall_time_s": wall_s, "build_time_s": build,
        "update_time_total_s": float(update.sum()), "extract_time_total_s": float(extract.sum()),
        "python_per_window_median_s": float(np.median(update + extract)),
        "solve_time_total_s": float(solve.sum()),
        "solve_time_median_s": float(np.median(solve)),
        "warmup_solve_time_s": summary.get("warmup_solve_time_s", 0.0),
        "python_share_of_solve_pct": 100 * float((update + extract).sum()) / float(solve.sum()),
        **{k: summary.get(k) for k in KPIS},
        "gap_p50": float(np.nanpercentile(gaps, 50)), "gap_p95": float(np.nanpercentile(gaps, 95)),
        "gap_max": float(np.nanmax(gaps)),
        "windows_at_time_limit": int(sum(w["status"] == "time_limit" for w in windows)),
    }


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", nargs="?", default="cases/jilin-2016.toml")
    parser.add_argument("--set", dest="sets", action="append", default=[],
                        help="key=value override (repeatable)")
    parser.add_argument("--from-run", type=Path, help="figures of a finished run folder")
    return parser.parse_args(argv)


def main(argv):
    args = parse(argv)
    if args.from_run:
        info = json.loads((args.from_run / "run.json").read_text())
        summary = json.loads((args.from_run / "summary.json").read_text())
        row = {"case": str(args.from_run), **figures(info, info["wall_time_s"], summary)}
    else:
        from gridmodel.case import load_case
        from gridmodel.run import solve_case

        start = time.perf_counter()
        outcome = solve_case(load_case(args.case, args.sets))
        row = {"case": args.case, "sets": args.sets,
               **figures(outcome.info, time.perf_counter() - start, outcome.summary),
               "peak_memory_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    row["when"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    row["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], check=False,
                                   capture_output=True, text=True,
                                   cwd=Path(__file__).parent).stdout.strip()
    print("| sets | blocks | wall s | Σ solve s | Python s/window | curtailment % | operating "
          "cost CNY | unserved heat MWh_th | starts |")
    print(f"| {' '.join(row.get('sets', []))} | {row['blocks']} | {row['wall_time_s']:.0f} | "
          f"{row['solve_time_total_s']:.0f} | {row['python_per_window_median_s']:.3f} | "
          f"{row['wind_curtailment_pct']:.2f} | {row['operating_cost_cny']:.4g} | "
          f"{row['unserved_heat_mwh']:.4g} | {row['thermal_starts_count']:.0f} |")
    print(json.dumps(row))
    records = Path(__file__).with_name("results.jsonl")
    previous = previous_record(records, row)
    if previous:
        print(against(previous, row))
    with open(records, "a") as fh:
        fh.write(json.dumps(row) + "\n")


def previous_record(path: Path, row: dict) -> dict | None:
    """The latest earlier record of the same case and settings (results.jsonl)."""
    if not path.is_file():
        return None
    same = [r for r in map(json.loads, path.read_text().splitlines() or [])
            if r.get("case") == row["case"] and r.get("sets", []) == row.get("sets", [])]
    return same[-1] if same else None


def against(before: dict, now: dict) -> str:
    """One line: the ratios to the previous record (a guard, not a timed test)."""
    def ratio(key):
        return now[key] / before[key] if before.get(key) else float("nan")

    return (f"against the record of {before.get('when', '?')}: wall {ratio('wall_time_s'):.2f}×, "
            f"Σ solve {ratio('solve_time_total_s'):.2f}×, curtailment "
            f"{now['wind_curtailment_pct'] - before['wind_curtailment_pct']:+.3f} pp, "
            f"operating cost {100 * (ratio('operating_cost_cny') - 1):+.3f} %, windows at the "
            f"limit {now['windows_at_time_limit']} (was {before['windows_at_time_limit']})")


if __name__ == "__main__":
    main(sys.argv[1:])
