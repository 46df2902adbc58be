"""The year with K time-parallel blocks: K = 1 (one sequential run), K = 2 on the local
cluster, and K = 4, 8 through `--scheduler` to a cluster of K single-thread worker processes
started on this machine. On 2 cores nothing is gained past K = 2; the point is the per-block
cost (Σ window solve, the warm-up each block solves and drops) and the overhead, from which
the time on K machines follows (wall ≈ (Σ solve + K · warm-up) / K + start-up).

Usage: .venv/bin/python benchmarks/scaling.py [CASE] [--blocks 1 2 4 8]
Prints one Markdown row per K (wall, Σ solve, warm-up, KPIs against K = 1).
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dask.distributed import LocalCluster


def run(case: str, blocks: int, out: Path, scheduler: str | None = None) -> dict:
    cmd = [str(Path(sys.executable).with_name("gridmodel")), "run", case, "--out", str(out),
           "--force", "--blocks", str(blocks)]
    if scheduler:
        cmd += ["--scheduler", scheduler]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    summary = json.loads((out / "summary.json").read_text())
    return {"blocks": blocks, "wall_s": time.perf_counter() - start,
            "solve_s": summary["solve_time_s"], "warmup_s": summary["warmup_solve_time_s"],
            "curtailment_pct": summary["wind_curtailment_pct"],
            "operating_cost_cny": summary["operating_cost_cny"],
            "cluster": "external" if scheduler else ("local" if blocks > 1 else "none")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("case", nargs="?", default="cases/jilin-2016.toml")
    parser.add_argument("--blocks", type=int, nargs="+", default=[1, 2, 4, 8])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in args.blocks:
            out = Path(tmp) / f"k{k}"
            if k <= 2:
                rows.append(run(args.case, k, out))
                continue
            with LocalCluster(n_workers=k, threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster:
                rows.append(run(args.case, k, out, cluster.scheduler_address))
    base = rows[0]
    print("| K | cluster | wall s | Σ window solve s | warm-up solve s | curtailment % "
          "(Δ to first) | operating cost (Δ to first) |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['blocks']} | {r['cluster']} | {r['wall_s']:.0f} | {r['solve_s']:.0f} | "
              f"{r['warmup_s']:.0f} | {r['curtailment_pct']:.2f} "
              f"({r['curtailment_pct'] - base['curtailment_pct']:+.2f} pp) | "
              f"{r['operating_cost_cny'] / 1e9:.3f} bn "
              f"({100 * (r['operating_cost_cny'] / base['operating_cost_cny'] - 1):+.3f} %) |")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
