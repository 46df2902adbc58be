"""Check the curtailment attribution against counterfactuals (issue 14, docs/methods.md "Why wind is
curtailed"): relax one cause at a time on a span of the 2016 case and compare how much
curtailment each relaxation removes with what the attribution of the base run assigned to
that cause. Prints one table; nothing is written.

Usage: .venv/bin/python benchmarks/curtailment_causes.py [--start 2016-01-11] [--days 7]
"""

import argparse
import sys

from gridmodel.case import load_case
from gridmodel.run import solve_case

COUNTERFACTUALS = {  # name: (causes it relaxes, --set values)
    "heat coupling (c_b 0.05, c_v 0) and minimum load off": (
        ("heat_must_run", "min_stable_load"),
        ["chp.*.c_b_pu=0.05", "chp.*.c_v_pu=0", "thermal.*.p_min_mw=0"]),
    "no Heilongjiang transit import": (("fixed_exchanges",),
                                       ["export_link.heilongjiang.p_import_max_mw=0"]),
    "UHV west +1 GW export": (("export_limit",), ["export_link.uhv_west.p_export_max_mw=1000"]),
    "no line limits (copper plate)": (("network",), ["model.network=copperplate"]),
    "minimum release spilled, not turbined": (("hydro_min_release",),
                                              ["hydro.*.min_release_generates=false"]),
    "no ramp limits": (("ramping",), ["thermal.*.ramp_down_mw_per_h=100000",
                                      "thermal.*.ramp_up_mw_per_h=100000"]),
}


def run(case_path, base_sets, extra):
    case = load_case(case_path, base_sets + extra)
    return solve_case(case).summary


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", default="cases/jilin-2016.toml")
    parser.add_argument("--start", default="2016-01-11")
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args(argv)
    sets = [f"time.start={args.start}T00:00:00", f"time.days={args.days}", "horizon.blocks=1"]
    base = run(args.case, sets, [])
    total = base["renewable_curtailed_mwh"]
    print(f"base: curtailed {total:,.0f} MWh ({base['wind_curtailment_pct']:.1f} % of wind)")
    print("| counterfactual | causes relaxed | attributed (MWh, % of curtailment) "
          "| removed by relaxing (MWh, %) |")
    print("|---|---|---|---|")
    for name, (causes, extra) in COUNTERFACTUALS.items():
        attributed = sum(base[f"curtailment_{c}_mwh"] for c in causes)
        removed = total - run(args.case, sets, extra)["renewable_curtailed_mwh"]
        print(f"| {name} | {', '.join(causes)} | {attributed:,.0f} ({100 * attributed / total:.1f} %)"
              f" | {removed:,.0f} ({100 * removed / total:.1f} %) |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
