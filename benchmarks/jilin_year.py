"""Full-year rolling-horizon benchmark on a case (default: the Jilin 2016 baseline).

Usage: .venv/bin/python benchmarks/jilin_year.py [CASE] [--set key=value ...]
       .venv/bin/python benchmarks/jilin_year.py --from-run results/jilin-2016
Prints one JSON line (wall time, build vs HiGHS time, peak memory, per-window gap p50/p95/max,
windows at the time limit) and appends it to benchmarks/results.jsonl.
"""

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np


def figures(info: dict, wall_s: float) -> dict:
    windows = info["windows"]
    gaps = np.array([w["mip_gap"] for w in windows], dtype=float)
    solve = np.array([w["solve_time_s"] for w in windows])
    update = np.array([w["update_time_s"] for w in windows])
    build = info["build_time_s"]
    return {
        "windows": len(windows), "wall_time_s": wall_s, "build_time_s": build,
        "update_time_total_s": float(update.sum()), "solve_time_total_s": float(solve.sum()),
        "solve_time_median_s": float(np.median(solve)),
        "build_and_update_share_pct": 100 * (build + update.sum()) / wall_s,
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
        row = {"case": str(args.from_run), **figures(info, info["wall_time_s"])}
    else:
        from gridmodel.case import load_case
        from gridmodel.run import solve_case

        start = time.perf_counter()
        outcome = solve_case(load_case(args.case, args.sets))
        row = {"case": args.case, "sets": args.sets,
               **figures(outcome.info, time.perf_counter() - start),
               "peak_memory_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    row["when"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    print(json.dumps(row))
    with open(Path(__file__).with_name("results.jsonl"), "a") as fh:
        fh.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
