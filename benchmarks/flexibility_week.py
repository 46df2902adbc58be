"""The flexibility sanity table of the cold week (11–17 January, rounded mode, daily
windows): each option family of `tests/test_jilin.py` (FLEXIBILITY) beside the baseline
week, as Markdown (docs/jilin.md quotes it with its commit).

Usage: .venv/bin/python benchmarks/flexibility_week.py
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_jilin import DAILY, FLEXIBILITY

from gridmodel.case import load_case
from gridmodel.run import solve_case

WEEK = ROOT / "cases" / "jilin-2016-winter-week.toml"


def main() -> None:
    base = solve_case(load_case(WEEK, DAILY)).summary
    print("| option | curtailment | change | operating cost |")
    print("|---|---|---|---|")
    print(f"| baseline week | {base['wind_curtailment_pct']:.2f} % | – | "
          f"{base['operating_cost_cny'] / 1e6:,.0f} M CNY |")
    for family, sets in FLEXIBILITY.items():
        s = solve_case(load_case(WEEK, [*DAILY, *sets])).summary
        change = s["wind_curtailment_pct"] - base["wind_curtailment_pct"]
        print(f"| {family} | {s['wind_curtailment_pct']:.2f} % | {change:+.2f} pp | "
              f"{s['operating_cost_cny'] / 1e6:,.0f} M CNY |", flush=True)


if __name__ == "__main__":
    main()
