"""Window edges on the Jilin weeks: where stores end, and what rolling costs against one LP.

Usage: .venv/bin/python benchmarks/window_edges.py [stores|split|all]

`stores`: the shipped heat-storage and Dunhua scenarios on the winter week (11–17 January)
and the baseline April week (10–16 April) in relaxed rolling mode: every store's content at
the start and at the end of the data (a store must end at or above its start).
`split`: the January week as one LP (`horizon.window_h = 0`, relaxed commitment) against
rolling 12 h + 6 h windows, rolling without the per-window hydro release rule, and rolling
with a look-ahead that reaches the end of the week: wind curtailment and cost of each, so
the gap between rolling and one LP splits into the hydro rule and the look-ahead.
Prints Markdown tables (docs/window-edges.md quotes them with the commit they ran on).
"""

import sys

from gridmodel.case import load_case
from gridmodel.model.techs import TECHNOLOGIES
from gridmodel.network.loader import system_from_case
from gridmodel.run import solve_case

JANUARY = ["time.start=2016-01-11T00:00:00", "time.days=7", "horizon.blocks=1"]
APRIL = ["time.start=2016-04-10T00:00:00", "time.days=7", "horizon.blocks=1"]
RELAXED = ["model.commitment=relaxed"]
STORES = (("heat_storage", "heat_storage_soc_mwh_th", "e_max_mwh_th"),
          ("pumped_hydro", "pumped_hydro_soc_mwh", "e_max_mwh"),
          ("battery", "battery_soc_mwh", "e_max_mwh"), ("hydro", "hydro_soc_mwh", "e_max_mwh"))


def _solve(case_file: str, sets: list[str]):
    return solve_case(load_case(case_file, sets))


def store_rows(label: str, case_file: str, sets: list[str]) -> list[str]:
    """One row per sized store: initial content (table), content at the end of the data."""
    case = load_case(case_file, sets)
    system = system_from_case(case, TECHNOLOGIES)
    ds = solve_case(case).dataset
    rows = []
    for table, var, cap in STORES:
        t = system.table(table)
        if var not in ds or not len(t):
            continue
        dim = next(d for d in ds[var].dims if d != "time")
        for asset in t.index[t[cap] > 0]:
            start = t.at[asset, "initial_soc_pu"] * t.at[asset, cap]
            end = float(ds[var].sel({dim: asset}).values[-1])
            rows.append(f"| {label} | {table}.{asset} | {t.at[asset, cap]:,.0f} | {start:,.0f} "
                        f"| {end:,.0f} | {'yes' if end >= start - 1e-3 else 'NO'} |")
    return rows


def stores() -> None:
    print("| case | store | capacity | initial content | at the end of the data | ≥ start |")
    print("|---|---|---|---|---|---|")
    for label, case, sets in (
            ("heat storage, winter week", "cases/jilin-2016-heat-storage.toml", JANUARY),
            ("Dunhua pumped storage, winter week", "cases/jilin-2016-pumped-dunhua.toml", JANUARY),
            ("baseline April week, relaxed", "cases/jilin-2016.toml", APRIL + RELAXED)):
        for row in store_rows(label, case, sets):
            print(row)


def split() -> None:
    base = "cases/jilin-2016.toml"
    runs = (("one LP (window_h = 0)", ["horizon.window_h=0"]),
            ("rolling 12 h + 6 h", []),
            ("rolling, no per-window hydro release",
             ["hydro.*.release_inflow_each_window=false"]),
            ("rolling 12 h + look-ahead to the end", ["horizon.lookahead_h=168"]),
            ("rolling 12 h + look-ahead to the end, no per-window hydro release",
             ["horizon.lookahead_h=168", "hydro.*.release_inflow_each_window=false"]))
    print("| January week, relaxed | wind curtailment | objective | hydro |")
    print("|---|---|---|---|")
    for label, sets in runs:
        s = _solve(base, JANUARY + RELAXED + sets).summary
        print(f"| {label} | {s['wind_curtailment_pct']:.2f} % | {s['objective_cny'] / 1e6:,.3f} M CNY "
              f"| {s['hydro_generation_mwh'] / 1e3:,.1f} GWh |")


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    if what in ("stores", "all"):
        stores()
    if what in ("split", "all"):
        split()
