"""`gridmodel plan` worked by hand (docs/plan.md).

The system of every test: one bus, load 100 MW, a gas unit at 150 CNY/MWh (no minimum), wind
150 MW available at 1, 0.8, 2/3, 1/3 pu in four hours (150, 120, 100, 50 MW), a 60 MW_th
heat zone served by a coal boiler at 100 CNY/MWh_th or an electric boiler (efficiency 1,
0 MW in the network). Wind beyond the load is curtailed (no priority cost): 50 and 20 MW in
the first two hours. An e-boiler of s MW turns min(s, surplus) of it into heat, saving
100 CNY per MWh_th of coal heat; power from the gas unit (150) never pays for heat (100).
Operating cost without e-boiler: gas 50 MWh × 150 = 7,500 + coal 240 MWh_th × 100 = 24,000.

Marginal saving per MW of e-boiler over the four hours: 200 CNY below 20 MW (both hours),
100 between 20 and 50 MW (first hour only), 0 above. The e-boiler's annuity is set so that
its capex for the 4-h run is A CNY per MW: A = investment × crf(8 %, 20 y) × 4 / 8760.
"""

import numpy as np
import pytest
from tiny import Tiny

from gridmodel.errors import CaseError

COST_HEAD = ("option,table,column,basis,investment_cny_per_unit,lifetime_years,"
             "fixed_om_pct_per_year,source\n")


def crf(r, n):
    return r * (1 + r) ** n / ((1 + r) ** n - 1)


def investment_for(run_cny_per_mw: float) -> float:
    """Investment per MW whose annuity for the 4-h run is run_cny_per_mw."""
    return run_cny_per_mw / (crf(0.08, 20) * 4 / 8760)


def write_case(folder, run_cny_per_mw: float = 150.0, plan: str = "", store=False) -> object:
    t = Tiny()
    t.gen("G", p_max_mw=300, c1=150, co2_t_per_mwh=0.5)
    t.load("L", 100, series=[1.0, 1.0, 1.0, 1.0])
    t.renewable("wind", "wind", 150, series=[1.0, 0.8, 2 / 3, 1 / 3])
    t.table("heat_zone", name="city", demand_mw_th=60.0)
    t.table("heat_boiler", name="coal", zone="city", h_max_mw_th=200.0,
            cost_cny_per_mwh_th=100.0, co2_t_per_mwh_th=0.4)
    t.table("electric_boiler", name="eb", bus=0, zone="city", p_max_mw=0.0, efficiency_pu=1.0)
    if store:
        t.table("heat_storage", name="acc", zone="city", e_max_mwh_th=0.0,
                p_in_max_mw_th=50.0, p_out_max_mw_th=50.0)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "costs.csv").write_text(
        COST_HEAD + f"eb,electric_boiler,p_max_mw,increase,{investment_for(run_cny_per_mw)!r},"
        "20,0,test\n")
    case = t.write(folder, '[model]\ncurtailment_cost_cny_per_mwh = 0\n'
                   '[plan]\ngap_pct = 1e-6\nblock_h = 1\n' + plan)
    case.write_text('costs = "costs.csv"\n' + case.read_text())
    return case


def plan_of(case, options, sets=()):
    from gridmodel.case import load_case
    from gridmodel.plan.benders import plan
    from gridmodel.plan.options import options_of
    from gridmodel.plan.problem import problems

    c = load_case(case, list(sets))
    opts = options_of(c, options)
    c, _, probs, _, _ = problems(case, list(sets), opts)
    results = [(plan(p, c.plan.gap_pct, 50), p) for p in probs]
    return min(results, key=lambda rp: rp[0].total_cny)


EB = "electric_boiler.eb.p_max_mw"


@pytest.fixture(scope="module")
def eb_case(tmp_path_factory):
    """The case file, written once for the tests that only read it."""
    return write_case(tmp_path_factory.mktemp("eb"))


@pytest.fixture(scope="module")
def eb_problem(eb_case):
    """The four 1-h blocks with the e-boiler 0..100 MW as their size column (built once:
    targets, budgets and narrower ranges are the same blocks, as the frontier uses them)."""
    from gridmodel.plan.options import parse_option
    from gridmodel.plan.problem import problems

    _, _, probs, _, _ = problems(eb_case, [], [parse_option(f"{EB}=0..100")])
    return probs[0]


def planned(problem, **changes):
    from dataclasses import replace

    from gridmodel.plan.benders import plan

    return plan(replace(problem, **changes), 1e-6, 50)


def test_optimal_eboiler_is_where_its_annuity_meets_its_saving(eb_problem):
    """A = 150 CNY/MW: worth it up to 20 MW (saving 200), not beyond (saving 100). Total =
    gas 7,500 + coal (240 − 20 − 20) × 100 + capex 20 × 150 = 30,500 CNY."""
    r = planned(eb_problem)
    assert r.sizes["eb"] == pytest.approx(20.0, abs=1e-4)
    assert r.total_cny == pytest.approx(30_500, rel=1e-5)
    assert r.capex_for_run_cny == pytest.approx(3_000, rel=1e-6)
    assert r.gap_pct <= 1e-4
    assert r.curtailed_mwh == pytest.approx(30.0, abs=1e-4)   # 150 − 100 − 20 in hour one


@pytest.mark.parametrize("annuity, chosen, total", [
    (160.0, 30.0, 7_500 + (240 - 30 - 20) * 100 + 30 * 160),   # saving 5,000 > 4,800
    pytest.param(170.0, 0.0, 31_500, marks=pytest.mark.slow),   # 5,000 < 5,100
])
def test_an_on_off_option_is_taken_only_when_its_saving_beats_its_annuity(
        tmp_path, annuity, chosen, total):
    """0 or 30 MW (a retrofit on or off): 30 MW saves 100 × (30 + 20) = 5,000 CNY; its
    capex for the run is 30 × A."""
    r, _ = plan_of(write_case(tmp_path, annuity), [f"{EB}=0,30"])
    assert r.fixed["eb"] == chosen
    assert r.total_cny == pytest.approx(total, rel=1e-5)


def test_an_absorption_target_binds_at_its_shadow_price(eb_problem):
    """95 % of 420 MWh available: curtail ≤ 21 MWh, so s ≥ 50 − 21 = 29 MW. Beyond 20 MW a
    MW costs 150 and saves 100 and absorbs 1 MWh: the target's price is 50 CNY/MWh. Total =
    7,500 + (240 − 29 − 20) × 100 + 29 × 150 = 30,950 CNY."""
    r = planned(eb_problem, min_absorption_pct=95.0)
    assert r.sizes["eb"] == pytest.approx(29.0, abs=1e-4)
    assert r.absorption_pct == pytest.approx(95.0, abs=1e-6)
    assert r.total_cny == pytest.approx(30_950, rel=1e-5)
    assert r.target_price_cny_per_mwh == pytest.approx(50.0, rel=1e-4)


def test_a_co2_cap_binds_at_its_shadow_price(eb_case):
    """Gas 0.5 t/MWh, coal heat 0.4 t/MWh_th. At the 20-MW optimum: 50 × 0.5 + 200 × 0.4 =
    105 t. A cap of 100 t takes 12.5 MWh_th more from wind in hour one: s = 32.5 MW, each MW
    beyond 20 costing 150 − 100 = 50 CNY for 0.4 t: 125 CNY/t. Total = 7,500 + (240 − 32.5 −
    20) × 100 + 32.5 × 150 = 31,125 CNY."""
    r, _ = plan_of(eb_case, [f"{EB}=0..100"], ["plan.max_co2_t=100"])
    assert r.sizes["eb"] == pytest.approx(32.5, abs=1e-4)
    assert r.co2_t == pytest.approx(100.0, abs=1e-4)
    assert r.co2_price_cny_per_t == pytest.approx(125.0, rel=1e-4)
    assert r.total_cny == pytest.approx(31_125, rel=1e-5)


def test_an_unreachable_target_says_which_limit_binds(eb_problem):
    """99 % allows 4.2 MWh of curtailment; an e-boiler of at most 40 MW leaves 50 − 40 =
    10 MWh in hour one: 5.8 MWh over, the e-boiler at its upper end."""
    r = planned(eb_problem, high=np.array([40.0]), min_absorption_pct=99.0)
    assert r.sizes["eb"] == pytest.approx(40.0, abs=1e-6)
    assert "5.8 MWh more curtailment" in r.unreachable and "upper end: eb" in r.unreachable
    assert r.curtailed_mwh == pytest.approx(10.0, abs=1e-4)


def test_benders_equals_the_monolithic_lp_with_a_store_across_hours(tmp_path):
    """With a heat store (0..200 MWh_th, 50 MW_th in and out, cyclic) beside the e-boiler,
    the hours interact inside a block: two 2-h blocks, Benders against the one LP with the
    sizes as columns, within the stated gap."""
    from gridmodel.plan.benders import monolithic, plan
    from gridmodel.plan.options import parse_option
    from gridmodel.plan.problem import problems

    case = write_case(tmp_path, store=True)
    case.write_text(case.read_text().replace("block_h = 1", "block_h = 2"))
    opts = [parse_option(f"{EB}=0..100"),
            parse_option("heat_storage.acc.e_max_mwh_th=0..200")]
    _, _, probs, _, _ = problems(case, [], opts)
    assert len(probs[0].blocks) == 2
    exact, _ = monolithic(probs[0])
    r = plan(probs[0], 1e-6, 50)
    assert r.total_cny == pytest.approx(exact, rel=1e-6)
    assert r.total_cny <= 30_500 + 1e-6   # the store can only help


def test_a_size_that_changes_coefficients_is_refused_by_name(eb_case):
    """A minimum load multiplies the commitment: not a bound, so not a linear size."""
    case = eb_case
    with pytest.raises(CaseError, match="G.*not a linear size"):
        plan_of(case, ["thermal.G.p_min_mw=0..50"])


@pytest.mark.parametrize("spec, match", [
    ("electric_boiler.eb.p_max_mw=5..1", "MIN < MAX"),
    ("electric_boiler.nope.p_max_mw=0..1", "asset 'nope'"),
    ("electric_boiler.eb.zone=0..1", "numeric"),
    ("electric_boiler.eb.p_max_mw", "expected table.asset.column"),
    ("electric_boiler.eb.p_max_mw=3", "at least two values"),
    ("electric_boiler.eb.p_max_mw=nan,1", "finite numbers"),
    ("electric_boiler.eb.p_max_mw=-5..10", "outside"),
])
def test_bad_options_are_refused_with_one_line(eb_case, spec, match):
    with pytest.raises(CaseError, match=match):
        plan_of(eb_case, [spec])


def test_cli_plan_writes_its_files_and_a_verified_portfolio(tmp_path):
    """The command end to end: plan files, the portfolio case, and its normal-year run (the
    4-h run: relaxed plan and dispatch agree, so the verified total is the plan's)."""
    from typer.testing import CliRunner

    from gridmodel.cli import app

    case = write_case(tmp_path / "in")
    out = tmp_path / "plan"
    res = CliRunner().invoke(app, ["plan", str(case), "--option", f"{EB}=0..100", "--out",
                                   str(out), "--set", "model.commitment=relaxed",
                                   "--workers", "1"])
    assert res.exit_code == 0, res.output
    for name in ("plan.json", "plan.csv", "plan.xlsx", "plan.png", "plan_case.toml",
                 "verification/summary.json"):
        assert (out / name).is_file(), name
    import json

    import pandas as pd

    row = pd.read_csv(out / "plan.csv").iloc[0]   # at 20 MW: saves 100, costs 150 per MW
    assert row["saving_cny_per_unit"] == pytest.approx(100.0, rel=1e-6)
    assert row["capex_cny_per_unit"] == pytest.approx(150.0, rel=1e-6)
    assert row["saving_per_capex"] == pytest.approx(2 / 3, rel=1e-6)
    plan = json.loads((out / "plan.json").read_text())
    assert plan["result"]["sizes"]["eb"] == pytest.approx(20.0, abs=1e-4)
    v = plan["verification"]
    assert v["total_cny"] == pytest.approx(30_500, rel=1e-5)
    # no export link, so all the wind used is local: 30 of 420 MWh curtailed (hour 1: 50 − 20)
    assert v["local_absorption_pct"] == pytest.approx(100 * 390 / 420, rel=1e-6)
    assert v["absorption_pct"] == pytest.approx(100 * 390 / 420, rel=1e-6)
    assert abs(v["total_gap_pct"]) < 1e-3
    again = CliRunner().invoke(app, ["plan", str(case), "--option", f"{EB}=0..100", "--out",
                                     str(out), "--workers", "1"])
    assert again.exit_code == 2 and "--force" in again.output
    assert np.isfinite(plan["result"]["lower_bound_cny"])


@pytest.mark.slow  # a local dask cluster (≈ 6–12 s): make test-all
def test_two_workers_hold_the_blocks_and_give_the_serial_plan(tmp_path):
    """Four 1-h blocks on two dask actors: the same cuts, so the same sizes and total."""
    from gridmodel.plan.run import plan_case

    case = write_case(tmp_path / "in")
    out = plan_case(case, [], [f"{EB}=0..100"], tmp_path / "plan", verify=False, workers=2)
    assert out.result.sizes["eb"] == pytest.approx(20.0, abs=1e-4)
    assert out.result.total_cny == pytest.approx(30_500, rel=1e-5)
    assert out.meta["method"]["blocks"] == 4


def test_a_capex_budget_caps_the_size(eb_problem):
    """A budget of 10 MW's annuity (150 CNY per MW for 4 h = 328,500 CNY per MW-year): the
    e-boiler stops at 10 MW although 20 would pay."""
    per_mw_year = 150.0 * 8760 / 4
    r = planned(eb_problem, max_capex_cny=10 * per_mw_year)
    assert r.sizes["eb"] == pytest.approx(10.0, abs=1e-4)
    assert r.capex_cny == pytest.approx(10 * per_mw_year, rel=1e-6)


def test_the_frontier_reuses_the_cuts_and_prices_each_target(tmp_path):
    """90 % is met by the unconstrained optimum (92.86 %: price 0, 20 MW); 95 % needs 29 MW
    at 50 CNY/MWh (the target test above)."""
    from gridmodel.plan.run import plan_case

    case = write_case(tmp_path / "in")
    out = plan_case(case, [], [f"{EB}=0..100"], tmp_path / "plan", verify=False,
                    frontier=[95, 90])
    rows = {row["target_pct"]: row for row in out.frontier}
    assert rows[90]["size_eb"] == pytest.approx(20.0, abs=1e-4)
    assert rows[90]["target_price_cny_per_mwh"] == pytest.approx(0.0, abs=1e-6)
    assert rows[95]["size_eb"] == pytest.approx(29.0, abs=1e-4)
    assert rows[95]["target_price_cny_per_mwh"] == pytest.approx(50.0, rel=1e-4)
    assert rows[95]["total_cny"] == pytest.approx(30_950, rel=1e-5)
    assert (tmp_path / "plan" / "plan.xlsx").is_file()


def _biased_verification(bias_pp: float, exported_pp: float = 0.0):
    """A stand-in for the normal-year run whose absorption is the plan's less bias_pp (what
    the relaxed commitment does on the Jilin year, ≈ 2.8 pp), of which exported_pp went out
    of the province, the plan's total unchanged."""
    def verify(case_file, sets, options, result, folder, case):
        total = result.absorption_pct - bias_pp
        return {"total_cny": result.total_cny, "plan_total_cny": result.total_cny,
                "total_gap_pct": 0.0, "absorption_pct": total,
                "local_absorption_pct": total - exported_pp,
                "plan_absorption_pct": result.absorption_pct}
    return verify


def test_a_verified_shortfall_raises_the_plans_target_until_the_year_meets_it(
        eb_case, eb_problem, monkeypatch):
    """Target 95 % with a verification 2 pp below the plan. Round 1 plans 95 % (29 MW, the
    target test) and verifies 93 %; round 2 plans 97 %: curtail ≤ 3 % × 420 = 12.6 MWh, so
    s = 50 − 12.6 = 37.4 MW, verified 95 %: met. Total = 7,500 + (240 − 37.4 − 20) × 100 +
    37.4 × 150 = 31,370 CNY. With the range cut to 0..30 MW round 2 cannot reach 97 %: it
    stops at 30 MW (curtail 20 MWh: 95.24 %, verified 93.24 %), and the report says so and
    names the option at its upper end."""
    from dataclasses import replace

    from gridmodel.case import load_case
    from gridmodel.plan import run

    monkeypatch.setattr(run, "_verify", _biased_verification(2.0))
    case = load_case(eb_case, ["plan.min_absorption_pct=95"])

    def rounds(problem):
        problem = replace(problem, min_absorption_pct=95.0)
        cuts = []
        first = run.plan(problem, 1e-6, 50, None, cuts)
        return run._verify_to_target(eb_case, [], [], (first, problem, cuts), None, case, None)

    result, v = rounds(eb_problem)
    t = v["target"]
    assert t["met"] and [r["plan_target_pct"] for r in t["rounds"]] == pytest.approx([95, 97])
    assert [r["sizes"]["eb"] for r in t["rounds"]] == pytest.approx([29.0, 37.4], abs=1e-4)
    assert result.total_cny == pytest.approx(31_370, rel=1e-5)
    _, v = rounds(replace(eb_problem, high=np.array([30.0])))
    short = v["target"]
    assert not short["met"] and len(short["rounds"]) == 2
    assert "93.24 % < target 95 %" in short["why"] and "upper end: eb" in short["why"]


def test_a_local_target_re_plans_the_total_until_the_local_share_meets_it(
        eb_case, eb_problem, monkeypatch):
    """Local target 95 %, the verification as planned but 3 pp of it exported. Round 1 plans
    a total of 95 % (29 MW): local 92 %. Round 2 plans 98 %: curtail ≤ 2 % × 420 = 8.4 MWh,
    s = 50 − 8.4 = 41.6 MW, local 95 %: met. Total = 7,500 + (240 − 41.6 − 20) × 100 +
    41.6 × 150 = 31,580 CNY. The same case counting the total stops after round 1 (95 %)."""
    from dataclasses import replace

    from gridmodel.case import load_case
    from gridmodel.plan import run

    monkeypatch.setattr(run, "_verify", _biased_verification(0.0, exported_pp=3.0))
    problem = replace(eb_problem, min_absorption_pct=95.0)

    def rounds(counts):
        case = load_case(eb_case, ["plan.min_absorption_pct=95", f"plan.absorption='{counts}'"])
        cuts = []
        first = run.plan(problem, 1e-6, 50, None, cuts)
        return run._verify_to_target(eb_case, [], [], (first, problem, cuts), None, case, None)

    result, v = rounds("local")
    t = v["target"]
    assert t["met"] and t["counts"] == "local"
    assert [r["plan_target_pct"] for r in t["rounds"]] == pytest.approx([95, 98])
    assert [r["local_absorption_pct"] for r in t["rounds"]] == pytest.approx([92, 95], abs=1e-6)
    assert result.sizes["eb"] == pytest.approx(41.6, abs=1e-4)
    assert result.total_cny == pytest.approx(31_580, rel=1e-5)
    result, v = rounds("total")
    assert len(v["target"]["rounds"]) == 1 and result.sizes["eb"] == pytest.approx(29.0, abs=1e-4)


def test_a_local_target_without_the_verification_is_refused(eb_case, tmp_path):
    """The plan's constraint counts the total; only the verified year knows the local share."""
    from typer.testing import CliRunner

    from gridmodel.cli import app

    res = CliRunner().invoke(app, ["plan", str(eb_case), "--option", f"{EB}=0..100",
                                   "--min-absorption-pct", "95", "--absorption", "local",
                                   "--no-verify", "--out", str(tmp_path / "p"), "--workers", "1"])
    assert res.exit_code == 2 and "plan.absorption" in res.output and "local" in res.output
    assert len(res.output.strip().splitlines()) == 1 and not (tmp_path / "p").exists()


@pytest.mark.parametrize("args, match", [
    (["--option", "electric_boiler.eb.p_max_mw=0..x"], "expected table.asset.column"),
    (["--option", f"{EB}=0..100", "--frontier", "90,120"], "between 0 and 100"),
    (["--option", f"{EB}=0..100", "--scheduler", "not an address"], "dask scheduler"),
    ([], "at least one option"),
])
def test_bad_plan_input_is_one_line_exit_2(eb_case, tmp_path, args, match):
    from typer.testing import CliRunner

    from gridmodel.cli import app

    case = eb_case
    res = CliRunner().invoke(app, ["plan", str(case), "--out", str(tmp_path / "p"),
                                   "--workers", "1", *args])
    assert res.exit_code == 2, res.output
    assert match in " ".join(res.output.split()) and "Traceback" not in res.output
    assert not (tmp_path / "p").exists()


def test_validate_checks_the_cases_plan_options(tmp_path):
    """A misspelt asset in [plan.options] is found by `validate`, naming the option."""
    from typer.testing import CliRunner

    from gridmodel.cli import app

    case = write_case(tmp_path / "in", plan='[plan.options]\nboiler = "electric_boiler.ebx.p_max_mw=0..9"\n')
    res = CliRunner().invoke(app, ["validate", str(case)])
    assert res.exit_code == 2 and "boiler" in res.output and "'ebx'" in res.output
