"""`gridmodel plan`: problems → Benders → (frontier) → outputs → verification run."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import CaseError
from ..outdir import RunFolder
from ..windows import SCHEDULER
from .benders import plan
from .options import options_of


@dataclass
class PlanOutcome:
    result: object
    options: list
    folder: Path
    frontier: list = field(default_factory=list)
    verification: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)


def plan_case(case_file: Path, sets: list[str], cli_options: list[str], out: Path | None,
              force: bool = False, verify: bool = True, frontier: list[float] | None = None,
              progress=None, workers: int = 1, scheduler: str | None = None) -> PlanOutcome:
    from ..case import load_case

    started = time.perf_counter()
    case = load_case(case_file, sets)
    options = options_of(case, cli_options)
    if not verify and case.plan.absorption == "local" and case.plan.min_absorption_pct:
        raise CaseError(case_file, "plan.absorption", "local", "total with --no-verify (a "
                        "local target is reached through the verification run)")
    folder = RunFolder(Path(out) if out else Path("results") / f"{case.name}-plan", force)
    folder.check()
    if scheduler and not SCHEDULER.match(scheduler):
        raise CaseError("--scheduler", "--scheduler", scheduler,
                        "a dask scheduler address such as tcp://host:8786")
    if workers > 1 or scheduler:
        from ..blocks import dask_client
        from .parallel import Pool

        # the blocks stay on the workers' actors through the verification's re-plans
        with dask_client(workers, scheduler) as client:
            n = workers if not scheduler else len(client.scheduler_info()["workers"])
            pool = Pool(client, n)
            return _plan_and_verify(case_file, sets, options, folder, verify, frontier,
                                    progress, pool, started, (workers, scheduler))
    return _plan_and_verify(case_file, sets, options, folder, verify, frontier, progress,
                            None, started, (workers, scheduler))


def _plan_and_verify(case_file, sets, options, folder, verify, frontier, progress, pool,
                     started, cluster) -> PlanOutcome:
    found = _solve(case_file, sets, options, frontier, progress, pool)
    case, result, problem, cuts, front, combos, free, options = found
    meta = {"method": {**_method(case, problem), "workers": cluster[0],
                       "scheduler": cluster[1]},
            "free_columns": free, "combinations": combos,
            "build_time_s": problem.build_s, "plan_time_s": time.perf_counter() - started}
    folder.prepare()
    try:
        outcome = PlanOutcome(result, options, folder.path, front, {}, meta)
        if verify:
            outcome.result, outcome.verification = _verify_to_target(
                case_file, sets, options, (result, problem, cuts), folder, case, progress)
        meta["wall_time_s"] = time.perf_counter() - started
        from .report import write_outputs

        write_outputs(folder, case, options, outcome.result, {**meta,
                      "verification": outcome.verification}, front)
        folder.complete()
    finally:
        folder.release()
    return outcome


def _solve(case_file, sets, options, frontier, progress, pool):
    """Every combination of the discrete options planned; the cheapest and its frontier."""
    from .problem import problems

    case, _system, probs, free, options = problems(case_file, sets, options, progress, pool)
    best, combos = None, []
    for p in probs:
        cuts = []
        r = plan(p, case.plan.gap_pct, case.plan.max_iterations,
                 (lambda i, it: progress("iteration", i + 1, it)) if progress else None, cuts)
        combos.append({"fixed": p.fixed, "total_cny": r.total_cny, "sizes": r.sizes,
                       "iterations": len(r.iterations)})
        if best is None or r.total_cny < best[0].total_cny:
            best = (r, p, cuts)
    result, problem, cuts = best
    front = _frontier(problem, cuts, case, frontier or [], progress)
    return case, result, problem, cuts, front, combos, free, options


def _method(case, p) -> dict:
    return {"decomposition": "Benders, one cut per block and iteration",
            "blocks": len(p.blocks), "block_h": case.plan.block_h,
            "commitment": "relaxed (continuous on/start-up) while planning",
            "stores": "cyclic in each block (start content from the tables)",
            "gap_pct": case.plan.gap_pct}


def _frontier(problem, cuts, case, targets: list[float], progress) -> list[dict]:
    """Least cost at each absorption target, the blocks' cuts shared between targets."""
    rows = []
    for target in sorted(targets):
        p = replace(problem, min_absorption_pct=target)
        r = plan(p, case.plan.gap_pct, case.plan.max_iterations, None, cuts)
        rows.append({"target_pct": target, "absorption_pct": r.absorption_pct,
                     "total_cny": r.total_cny, "capex_cny": r.capex_cny,
                     "target_price_cny_per_mwh": r.target_price_cny_per_mwh,
                     "gap_pct": r.gap_pct, **{f"size_{k}": v for k, v in r.sizes.items()}})
        if progress:
            progress("frontier", len(rows), len(targets))
    return rows


def _verify_to_target(case_file, sets, options, planned, folder, case, progress):
    """The verification run; with an absorption target, re-planned (the same blocks and
    cuts) at a target raised by the verified shortfall until the verified year meets it, the
    plan cannot reach the raised target, or plan.target_rounds re-plans are spent."""
    result, problem, cuts = planned
    target, counted = case.plan.min_absorption_pct, MEASURES[case.plan.absorption]
    planned_pct, rounds = target, []
    while True:
        v = _verify(case_file, sets, options, result, folder, case)
        rounds.append({"plan_target_pct": planned_pct, "sizes": dict(result.sizes),
                       "plan_absorption_pct": result.absorption_pct,
                       "absorption_pct": v["absorption_pct"],
                       "local_absorption_pct": v["local_absorption_pct"],
                       "total_cny": v["total_cny"], "plan_total_cny": result.total_cny})
        why = _target_stop(target, planned_pct, v, result, len(rounds) - 1, case.plan)
        if why is not None:
            break
        planned_pct += target - v[counted]
        if progress:
            progress("target", len(rounds), planned_pct)
        result = plan(replace(problem, min_absorption_pct=planned_pct), case.plan.gap_pct,
                      case.plan.max_iterations, None, cuts)
    if target is not None:
        v["target"] = {"target_pct": target, "counts": case.plan.absorption, "met": why == "",
                       "why": why, "rounds": rounds}
    return result, v


# what the target counts → the verification's figure (the plan's own constraint is on the
# total; a local target is reached through the re-plans)
MEASURES = {"total": "absorption_pct", "local": "local_absorption_pct"}


def _target_stop(target, planned_pct, v, result, replans: int, opts) -> str | None:
    """None: plan again; "": the verified year meets the target; else why it does not."""
    counted = MEASURES[opts.absorption]
    if target is None or v[counted] >= target - 1e-6:
        return ""
    what = "local absorption" if opts.absorption == "local" else "absorption"
    short = f"verified {what} {v[counted]:.2f} % < target {target:g} %"
    if result.unreachable:
        return (f"{short}; the plan cannot reach the {planned_pct:.2f} % it would need: "
                f"{result.unreachable}")
    if planned_pct + target - v[counted] >= 100.0:
        return (f"{short}; the plan's total absorption {result.absorption_pct:.2f} % is "
                f"{result.absorption_pct - v[counted]:.2f} pp above the verified {what}, so "
                "the target would need a plan above 100 %")
    if replans >= opts.target_rounds:
        return f"{short} after plan.target_rounds = {opts.target_rounds} re-plans"
    return None


def _verify(case_file, sets, options, result, folder, case) -> dict:
    """The portfolio as a case (plan_case.toml), run through the normal year."""
    from ..case import load_case
    from ..run import run_case
    from .report import case_text

    name = f"{case.name}-plan"
    folder.write_text("plan_case.toml", case_text(case_file, folder.path, name, sets, options,
                                                  result))
    verified = load_case(folder.path / "plan_case.toml")
    run = run_case(verified, folder.path / "verification", force=True).summary
    total = run["operating_cost_cny"] + run["penalty_cost_cny"] + run.get("capex_for_run_cny",
                                                                           0.0)
    est = result.total_cny
    return {"folder": "verification", "total_cny": total, "plan_total_cny": est,
            "total_gap_pct": 100.0 * (est - total) / total,
            "wind_curtailment_pct": run.get("wind_curtailment_pct"),
            "absorption_pct": run.get("renewable_absorption_pct"),
            "local_absorption_pct": run.get("renewable_local_pct"),
            "plan_absorption_pct": result.absorption_pct,
            "capex_for_run_cny": run.get("capex_for_run_cny", 0.0)}
