"""pglib-uc benchmark: objective vs best known, gap and times on this machine.

Usage: .venv/bin/python benchmarks/pglib_uc.py [INSTANCE] [TIME_LIMIT_S]
Prints one JSON line and appends it to benchmarks/results.jsonl.
"""

import json
import resource
import sys
import time
from pathlib import Path

from gridmodel.run import solve_pglib

BEST_KNOWN = {"rts_gmlc_2020-02-09": 2_167_849.38, "rts_gmlc_2020-01-27": 1_231_399.20}
DEFAULT = Path(__file__).resolve().parents[2] / "shared/benchmarks/pglib-uc/rts_gmlc_2020-02-09.json"


def main(instance=str(DEFAULT), time_limit_s="100"):
    summary = solve_pglib(Path(instance), 1e-3, float(time_limit_s), 2, cluster=True)
    best = BEST_KNOWN.get(Path(instance).stem)
    summary.update({
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"), "time_limit_s": float(time_limit_s),
        "best_known": best,
        "above_best_known_pct": 100 * (summary["objective"] / best - 1) if best else None,
        "peak_memory_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
    print(json.dumps(summary))
    with open(Path(__file__).with_name("results.jsonl"), "a") as fh:
        fh.write(json.dumps(summary) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
