"""Rolling horizon vs one model on a case: wall time, build vs update vs solve, per-window gap.

Usage: .venv/bin/python benchmarks/rolling_demo.py [CASE] [WINDOW_H] [LOOKAHEAD_H]
Prints one JSON line and appends it to benchmarks/results.jsonl.
"""

import json
import statistics
import sys
import time
from pathlib import Path

from gridmodel.case import load_case
from gridmodel.run import solve_case


def main(case_file="cases/demo.toml", window_h="24", lookahead_h="24"):
    sets = [f"horizon.window_h={window_h}", f"horizon.lookahead_h={lookahead_h}"]
    rolling = solve_case(load_case(case_file, sets))
    mono = solve_case(load_case(case_file))
    windows = rolling.info["windows"]
    gaps = sorted(w["mip_gap"] for w in windows)
    row = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"), "case": case_file, "window_h": window_h,
        "lookahead_h": lookahead_h, "windows": len(windows),
        "rolling_wall_s": rolling.summary["wall_time_s"],
        "rolling_build_s": rolling.info["build_time_s"],
        "update_median_s": statistics.median(w["update_time_s"] for w in windows),
        "solve_median_s": statistics.median(w["solve_time_s"] for w in windows),
        "gap_p50": gaps[len(gaps) // 2], "gap_max": gaps[-1],
        "monolithic_wall_s": mono.summary["wall_time_s"],
        "objective_ratio_rolling_to_monolithic":
            rolling.summary["objective_cny"] / mono.summary["objective_cny"],
    }
    print(json.dumps(row))
    with open(Path(__file__).with_name("results.jsonl"), "a") as fh:
        fh.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
