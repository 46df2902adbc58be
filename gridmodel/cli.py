"""Command line: the only module that prints."""

from __future__ import annotations

import functools
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
import typer.core
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from .errors import GridmodelError, InputError, OutputExistsError

try:  # typer ≥ 0.20 carries its own click
    from typer._click.exceptions import NoArgsIsHelpError, UsageError
except ImportError:  # pragma: no cover
    from click.exceptions import NoArgsIsHelpError, UsageError


class _OneLineUsage(typer.core.TyperGroup):
    """Usage mistakes (`--blocks abc`, an unknown option) end as one line, exit 2, instead of
    click's usage block."""

    def main(self, *args, **kwargs):
        if not kwargs.get("standalone_mode", True):
            return super().main(*args, **kwargs)
        try:
            code = super().main(*args, **{**kwargs, "standalone_mode": False})
            sys.exit(code if isinstance(code, int) else 0)
        except typer.Exit as exc:
            sys.exit(exc.exit_code)
        except typer.Abort:
            err_console.print("aborted")
            sys.exit(1)
        except NoArgsIsHelpError as exc:
            exc.show()
            sys.exit(2)
        except UsageError as exc:
            where = f"{exc.ctx.command_path}: " if exc.ctx else ""
            err_console.print(f"[bold red]error:[/] {escape(where + exc.format_message())} (see "
                              f"--help)", highlight=False, soft_wrap=True)
            sys.exit(2)


app = typer.Typer(cls=_OneLineUsage, add_completion=False, no_args_is_help=True, help=(
    "gridmodel: unit commitment and heat-electricity dispatch of the Jilin power system."))
console = Console()
err_console = Console(stderr=True)

SetOpt = Annotated[list[str] | None, typer.Option(
    "--set", help="Override a case value, e.g. --set model.commitment=binary (repeatable).")]


_DEBUG = {"on": os.environ.get("GRIDMODEL_DEBUG") == "1"}


@app.callback()
def _options(debug: Annotated[bool, typer.Option(
        "--debug", help="Show Python tracebacks (also GRIDMODEL_DEBUG=1).")] = False) -> None:
    _DEBUG["on"] = debug or os.environ.get("GRIDMODEL_DEBUG") == "1"


def _fail(exc: GridmodelError) -> None:
    err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False,
                      soft_wrap=True)
    raise typer.Exit(exc.exit_code)


def command(*args, reads_runs: bool = False, **kwargs):
    """`app.command` whose failures end as one line: a GridmodelError (bad input) exits 2, an
    OS error (disk, permissions) exits 2 naming the path, anything else exits 1 with a hint;
    tracebacks only with --debug. `reads_runs`: a post-processing command, whose unexpected
    failures come from run folders it was given (damaged, foreign, of another version):
    exit 2 naming them."""
    def wrap(fn):
        @functools.wraps(fn)
        def guarded(*a, **kw):
            try:
                return fn(*a, **kw)
            except (typer.Exit, typer.Abort, KeyboardInterrupt):
                raise
            except GridmodelError as exc:
                if _DEBUG["on"]:
                    raise
                _fail(exc)
            except OSError as exc:
                if _DEBUG["on"]:
                    raise
                _fail(GridmodelError(f"{exc.filename or ''}: {exc.strerror or exc}"))
            except Exception as exc:
                if _DEBUG["on"]:
                    raise
                if reads_runs:
                    _fail(_foreign_run(kw, exc))
                err_console.print(f"[bold red]internal error:[/] {type(exc).__name__}: {escape(str(exc))} "
                                  "(rerun with --debug and file a report)", highlight=False,
                                  soft_wrap=True)
                raise typer.Exit(1) from None
        return app.command(*args, **kwargs)(guarded)
    return wrap


def _foreign_run(kw: dict, exc: Exception) -> InputError:
    runs = kw.get("run_dirs") or [kw.get("run_dir")]
    names = ", ".join(str(r) for r in runs if r is not None)
    return InputError(names, "(content)", f"not what this gridmodel writes "
                      f"({type(exc).__name__}: {exc})"[:200], "a run folder written by "
                      "`gridmodel run` of this version (re-run the case; --debug shows where)")


def _load(case_file: Path, sets):
    from .case import load_case

    return load_case(case_file, sets or [])


def _print_summary(summary: dict, out_dir) -> None:
    from .kpi import registry_keys  # after a run: kept out of --help's import time

    table = Table(title=f"summary ({out_dir})")
    table.add_column("key")
    table.add_column("value", justify="right")
    for key in registry_keys("terminal"):
        value = summary.get(key)
        table.add_row(key, f"{value:,.4g}" if isinstance(value, float) else str(value))
    console.print(table)


@command()
def run(case_file: Annotated[Path, typer.Argument(help="Case file (TOML).")],
        out: Annotated[Path | None, typer.Option(
            "--out", help="Run folder (default results/<case name>/).")] = None,
        force: Annotated[bool, typer.Option("--force", help="Replace an existing run folder.")]
        = False,
        resume: Annotated[bool, typer.Option(
            "--resume", help="Continue an interrupted run from its last finished window.")]
        = False,
        blocks: Annotated[int | None, typer.Option(
            "--blocks", help="Solve K chronological blocks in parallel on dask "
            "(horizon.blocks).")] = None,
        scheduler: Annotated[str | None, typer.Option(
            "--scheduler", help="Address of an existing dask scheduler for --blocks.")] = None,
        set_: SetOpt = None) -> None:
    """Solve a case and write results.nc, summary.json, run.json and case.resolved.toml."""
    from .run import run_case

    try:
        case = _load(case_file, (set_ or []) + ([f"horizon.blocks={blocks}"] if blocks is not None else []))
        with _progress_bar(case.name, case) as advance:
            outcome = run_case(case, out, force, resume, advance, scheduler)
    except GridmodelError as exc:
        _fail(exc)
    except KeyboardInterrupt:
        err_console.print("interrupted: finished windows are kept; continue with --resume")
        raise typer.Exit(130) from None
    _print_summary(outcome.summary, outcome.out_dir)
    for warning in outcome.info.get("warnings", []):
        err_console.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)
    for carrier in outcome.info["carriers"]:
        for when, node, mw in outcome.info["unserved"][carrier["name"]][:10]:
            console.print(f"[yellow]unserved {carrier['name']}[/] {when} at {node}: {mw:.3f} "
                          f"{carrier['power_unit']}")


@contextmanager
def _progress_bar(name: str, case=None):
    """A progress bar with ETA over time steps on a terminal; elsewhere (a log) one line per
    simulated month when the case has a start time."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, disable=not console.is_terminal,
                  transient=True) as bar:
        task = bar.add_task(f"solving {name} (steps)", total=None)
        log = None if console.is_terminal else _month_logger(name, case)

        def advance(done, total):
            bar.update(task, completed=done, total=total)
            if log:
                log(done, total)
        yield advance


def _month_logger(name: str, case):
    """Print 'name: solved through <month> (done/total steps, s)' when a month completes."""
    import time

    import pandas as pd

    start = getattr(getattr(case, "time", None), "start", None)
    length_h = getattr(getattr(case, "time", None), "length_h", None)
    began, seen = time.perf_counter(), set()

    def log(done, total):
        if start is None:
            return
        step_h = (length_h or total) / total
        month = (pd.Timestamp(start) + pd.Timedelta(hours=done * step_h)).strftime("%Y-%m")
        if month not in seen and done < total:
            seen.add(month)
            console.print(f"{name}: solved up to {month} ({done}/{total} steps, "
                          f"{time.perf_counter() - began:.0f} s)", highlight=False)
    return log


@command()
def pglib(path: Annotated[Path, typer.Argument(help="pglib-uc instance (JSON).")],
          mip_gap: Annotated[float, typer.Option("--mip-gap", help="Relative gap.")] = 1e-3,
          time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds.")] = 120.0,
          threads: Annotated[int, typer.Option("--threads", help="Solver threads.")] = 2,
          cluster: Annotated[bool, typer.Option(
              "--cluster/--no-cluster", help="Merge identical units (integer commitment).")]
          = True,
          mip_start: Annotated[str, typer.Option(
              "--mip-start", help="none | lp_fix")] = "none",
          out: Annotated[Path | None, typer.Option(
              "--out", help="Folder for summary.json (default results/pglib/<instance>/).")]
          = None,
          force: Annotated[bool, typer.Option("--force", help="Replace summary.json.")]
          = False) -> None:
    """Solve a pglib-uc unit-commitment benchmark instance and write summary.json."""
    from .run import solve_pglib

    out = out or Path("results") / "pglib" / path.stem
    try:
        if (out / "summary.json").exists() and not force:
            raise OutputExistsError(f"{out / 'summary.json'} exists; pass --force to replace")
        if not path.is_file():
            raise InputError(path, "(file)", "not found", "a pglib-uc JSON file")
        with console.status(f"solving {path.name} ..."):
            summary = solve_pglib(path, mip_gap, time_limit, threads, cluster, mip_start)
    except GridmodelError as exc:
        _fail(exc)
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    table = Table(title=f"pglib-uc {path.name} ({out})")
    table.add_column("key")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        table.add_row(key, f"{value:,.6g}" if isinstance(value, float) else str(value))
    console.print(table)


@command()
def validate(case_file: Annotated[Path, typer.Argument(help="Case file (TOML).")],
             set_: SetOpt = None) -> None:
    """Check the case, its network and its profiles without solving."""
    from .economics import check_costs
    from .model.techs import TECHNOLOGIES
    from .network.loader import system_from_case
    from .windows import check_horizon

    try:
        case = _load(case_file, set_)
        system = system_from_case(case, TECHNOLOGIES)
        check_horizon(case, system)
        check_costs(case, TECHNOLOGIES)
        if case.plan.options:  # the case's plan options: grammar, assets, columns
            from .plan.options import check_options, parse_option

            check_options([parse_option(spec, case.where(f"plan.options.{name}"), name)
                           for name, spec in case.plan.options.items()], system)
    except GridmodelError as exc:
        _fail(exc)
    counts = ", ".join(f"{k}: {len(v)}" for k, v in system.tables.items())
    net = system.network
    for warning in system.extras.get("warnings", []):
        err_console.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)
    console.print(f"[green]ok[/] {case.name}: {len(net.buses)} buses, {len(net.ptdf)} branches "
                  f"({len(net.limited_branches)} with limits); {counts}; {system.n_steps} steps "
                  f"of {system.dt_h:g} h from {system.time[0]}")


XlsxOpt = Annotated[Path | None, typer.Option("--xlsx", help="Write an Excel workbook.")]


def _check_new(path: Path | None, force: bool) -> None:
    """A workbook path: ends in .xlsx (so no run or input file can be overwritten), is not a
    folder or link, and exists only with --force."""
    if path is None:
        return
    if path.suffix.lower() != ".xlsx":
        raise InputError("--xlsx", str(path), "not a workbook name", "a file name ending .xlsx")
    if path.is_symlink() or path.is_dir():
        raise InputError("--xlsx", str(path), "is a folder or a link", "a workbook file")
    if path.exists() and not force:
        raise OutputExistsError(f"{path} exists; pass --force to replace it")


@command(reads_runs=True)
def compare(run_dirs: Annotated[list[Path], typer.Argument(help="Run folders; first = reference.")],
            xlsx: XlsxOpt = None,
            force: Annotated[bool, typer.Option("--force", help="Replace the workbook.")]
            = False) -> None:
    """KPI table of runs with deltas to the first: cost, curtailment, where renewables went."""
    from .compare import compare_monthly, compare_table, read_summary
    from .export import write_workbook
    from .results import read_netcdf

    try:
        _check_new(xlsx, force)
        table = compare_table(run_dirs)
        if xlsx:
            first = run_dirs[0]
            write_workbook(read_netcdf(first / "results.nc"), read_summary(first), xlsx, table,
                           compare_monthly=compare_monthly(run_dirs))
    except GridmodelError as exc:
        _fail(exc)
    out = Table(title="compare (first run = reference)")
    out.add_column("kpi")
    for col in table.columns:
        out.add_column(str(col), justify="right")
    for key, row in table.iterrows():
        out.add_row(key, *[f"{v:,.4g}" for v in row.values])
    console.print(out)


@command(reads_runs=True)
def export(run_dir: Annotated[Path, typer.Argument(help="A run folder.")],
           xlsx: Annotated[Path, typer.Option("--xlsx", help="Workbook to write.")],
           force: Annotated[bool, typer.Option("--force", help="Replace the workbook.")]
           = False) -> None:
    """Excel workbook: Summary, Monthly, Units, Hourly sheets and native charts."""
    from .compare import read_summary
    from .export import write_workbook
    from .results import read_netcdf

    try:
        _check_new(xlsx, force)
        summary = read_summary(run_dir)
        write_workbook(read_netcdf(run_dir / "results.nc"), summary, xlsx)
    except GridmodelError as exc:
        _fail(exc)
    console.print(f"wrote {xlsx}")


@command()
def sweep(case_file: Annotated[Path, typer.Argument(help="Base case file (TOML).")],
          set_: Annotated[list[str], typer.Option(
              "--set", help="key=v1,v2,... (repeatable; the grid is their product).")],
          workers: Annotated[int | None, typer.Option(
              "--workers", min=1, max=256,
              help="Local worker processes (default: one per core).")] = None,
          scheduler: Annotated[str | None, typer.Option(
              "--scheduler", help="Address of an existing dask scheduler.")] = None,
          out: Annotated[Path | None, typer.Option(
              "--out", help="Folder (default results/<case>-sweep/).")] = None,
          merit: Annotated[list[str] | None, typer.Option(
              "--merit", help="Swept key whose values are sizes of an option (repeatable, "
              "one per option): merit_order.csv/.png and a MeritOrder sheet.")] = None,
          xlsx: XlsxOpt = None,
          force: Annotated[bool, typer.Option("--force", help="Replace the workbook.")]
          = False) -> None:
    """Run a grid of scenarios on dask.distributed; one folder per scenario, sweep.nc and
    sweep_summary.csv; failures are reported, finished scenarios are skipped on re-runs."""
    import pandas as pd

    from .compare import compare_monthly, compare_table, read_summary
    from .export import write_workbook
    from .results import read_netcdf
    from .sweep import best_sizes, merit_order, parse_grid, run_sweep, scenarios

    out = out or Path("results") / f"{case_file.stem}-sweep"
    try:
        _check_new(xlsx, force)
        grid = parse_grid(set_)
        swept = {key for key, _ in grid}
        for key in merit or []:
            if key not in swept:
                raise InputError("--merit", key, "not a swept key", f"one of {sorted(swept)}")
        items = scenarios(grid)
        with _progress_bar(f"sweep of {len(items)} scenarios") as advance:
            table = run_sweep(case_file, items, out, workers or os.cpu_count() or 1, scheduler,
                              advance)
        done = [out / n for n in table.index if (out / n / "summary.json").is_file()]
        order = None
        if merit:
            from .plots import merit_order_chart

            order = merit_order(table, merit)
            order.to_csv(out / "merit_order.csv")
            best_sizes(order).to_csv(out / "best_sizes.csv", index=False)
            merit_order_chart(order, out / "merit_order.png", _size_unit(merit))
        if xlsx and done:
            write_workbook(read_netcdf(done[0] / "results.nc"), read_summary(done[0]), xlsx,
                           compare_table(done), order, compare_monthly(done))
    except GridmodelError as exc:
        _fail(exc)
    view = Table(title=f"sweep ({out})")
    for col in ("scenario", "status", "objective_cny", "wind_curtailment_pct", "error"):
        view.add_column(col)
    for name, row in table.iterrows():
        obj, error = row.get("objective_cny"), row.get("error")
        view.add_row(name, str(row.get("status")), f"{obj:,.6g}" if pd.notna(obj) else "",
                     f"{row.get('wind_curtailment_pct', float('nan')):.2f}",
                     str(error) if pd.notna(error) else "")
    console.print(view)
    failed = int((table["status"] == "failed").sum()) if "status" in table else 0
    if failed:
        err_console.print(f"[bold red]{failed} of {len(table)} scenarios failed[/] (see the "
                          "error column and sweep_summary.csv)")
        raise typer.Exit(1)


@command()
def plan(case_file: Annotated[Path, typer.Argument(help="Case file (TOML).")],
         option: Annotated[list[str] | None, typer.Option(
             "--option", help="table.asset.column[+column[*f]]=MIN..MAX or =V1,V2 "
             "(repeatable; adds to [plan.options]).")] = None,
         min_absorption_pct: Annotated[float | None, typer.Option(
             "--min-absorption-pct", help="Renewable absorption target (%; "
             "plan.min_absorption_pct).")] = None,
         absorption: Annotated[str | None, typer.Option(
             "--absorption", help="What the target counts: total (local + exported) or local "
             "(plan.absorption).")] = None,
         max_capex_cny: Annotated[float | None, typer.Option(
             "--max-capex-cny", help="Annualised capex budget (CNY per year).")] = None,
         max_co2_t: Annotated[float | None, typer.Option(
             "--max-co2-t", help="CO2 cap over the run (t; plan.max_co2_t).")] = None,
         frontier: Annotated[str | None, typer.Option(
             "--frontier", help="Absorption targets (%), e.g. 85,90,95: least cost at each "
             "(Frontier sheet, plan.png).")] = None,
         verify: Annotated[bool, typer.Option(
             "--verify/--no-verify", help="Run the portfolio through the normal year.")] = True,
         workers: Annotated[int, typer.Option(
             "--workers", min=1, max=256, help="Local worker processes sharing the blocks "
             "(default: one per core).")] = os.cpu_count() or 1,
         scheduler: Annotated[str | None, typer.Option(
             "--scheduler", help="Address of an existing dask scheduler.")] = None,
         out: Annotated[Path | None, typer.Option(
             "--out", help="Plan folder (default results/<case>-plan/).")] = None,
         force: Annotated[bool, typer.Option("--force", help="Replace an existing plan folder.")]
         = False,
         set_: SetOpt = None) -> None:
    """Least-cost sizes of flexibility options over the chronological year (Benders over
    blocks), optionally to an absorption target; writes plan.json, plan.csv, plan.xlsx,
    plan.png, plan_case.toml and the verification run."""
    from .plan.run import plan_case

    sets = list(set_ or [])
    if min_absorption_pct is not None:
        sets.append(f"plan.min_absorption_pct={min_absorption_pct!r}")
    if absorption is not None:
        sets.append(f"plan.absorption={absorption!r}")
    if max_capex_cny is not None:
        sets.append(f"plan.max_capex_cny={max_capex_cny!r}")
    if max_co2_t is not None:
        sets.append(f"plan.max_co2_t={max_co2_t!r}")
    targets = _targets(frontier)
    with _plan_log() as log:
        outcome = plan_case(case_file, sets, option or [], out, force, verify, targets, log,
                            workers, scheduler)
    _print_plan(outcome)


def _targets(text: str | None) -> list[float]:
    if not text:
        return []
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise InputError("--frontier", "--frontier", text, "targets in %, e.g. 85,90,95") \
            from None
    if any(not 0 < v < 100 for v in values):
        raise InputError("--frontier", "--frontier", text, "each target between 0 and 100 %")
    return values


@contextmanager
def _plan_log():
    """One line per Benders iteration (bounds, gap, sizes); block building as a count."""
    def log(stage, n, info=None):
        if stage == "iteration":
            sizes = ", ".join(f"{k}={v:,.0f}" for k, v in info.sizes.items())
            err_console.print(f"iteration {n}: upper {info.upper_cny:,.0f} lower "
                              f"{info.lower_cny:,.0f} CNY, gap {info.gap_pct:.3f} % "
                              f"({info.solve_s:.0f} s) {sizes}", highlight=False,
                              soft_wrap=True)
        elif stage == "frontier":
            err_console.print(f"frontier: target {n} of {info} done", highlight=False)
        elif stage == "target":
            err_console.print(f"verified year {n} below the target: re-planning at "
                              f"{info:.2f} %", highlight=False)
        elif n == 0:
            err_console.print(f"building {info} {stage} (probe builds, then one LP each)",
                              highlight=False)
        elif n == info or n % 50 == 0:
            err_console.print(f"{stage}: {n} of {info}", highlight=False)
    yield log


def _print_plan(outcome) -> None:
    r = outcome.result
    view = Table(title=f"plan ({outcome.folder})")
    for col in ("option", "size", "saving CNY/unit", "capex CNY/unit"):
        view.add_column(col, justify="right" if col != "option" else "left")
    sizes = {**r.fixed, **r.sizes}
    for o in outcome.options:
        m = r.marginal.get(o.name, {})
        view.add_row(f"{o.name} ({o.unit})", f"{sizes[o.name]:,.1f}",
                     f"{m.get('saving_cny_per_unit', float('nan')):,.0f}",
                     f"{m.get('capex_cny_per_unit', float('nan')):,.0f}")
    console.print(view)
    console.print(f"plan: total {r.total_cny:,.0f} CNY (capex {r.capex_for_run_cny:,.0f}), "
                  f"bound gap {r.gap_pct:.3f} %, absorption {r.absorption_pct:.2f} %"
                  + (f", target price {r.target_price_cny_per_mwh:,.1f} CNY/MWh"
                     if r.target_price_cny_per_mwh else "")
                  + (f", CO2 {r.co2_t:,.0f} t at {r.co2_price_cny_per_t:,.1f} CNY/t"
                     if r.co2_t == r.co2_t else ""), highlight=False)
    if len(r.iterations) and r.iterations[-1].gap_pct > outcome.meta.get("method", {}).get(
            "gap_pct", float("inf")):
        err_console.print(f"[yellow]not converged:[/] the bounds are {r.gap_pct:.3f} % apart "
                          "after plan.max_iterations iterations (raise it, or plan.gap_pct)",
                          highlight=False)
    if r.unreachable:
        err_console.print(f"[yellow]target not reached:[/] {escape(r.unreachable)}",
                          highlight=False)
    v = outcome.verification
    if v:
        console.print(f"verified (normal year run): total {v['total_cny']:,.0f} CNY, plan "
                      f"{v['total_gap_pct']:+.2f} % from it; absorption {v['absorption_pct']:.2f} %"
                      f" (plan {v['plan_absorption_pct']:.2f} %), local "
                      f"{v['local_absorption_pct']:.2f} %", highlight=False)
        t = v.get("target")
        if t and t["met"]:
            console.print(f"target {t['target_pct']:g} % ({t['counts']}) met in the verified year after "
                          f"{len(t['rounds']) - 1} re-plan(s)", highlight=False)
        elif t:
            err_console.print(f"[yellow]target not verified:[/] {escape(t['why'])}",
                              highlight=False)
    for row in outcome.frontier:
        console.print(f"frontier {row['target_pct']:g} %: total {row['total_cny']:,.0f} CNY, "
                      f"absorption {row['absorption_pct']:.2f} %, price "
                      f"{row['target_price_cny_per_mwh']:,.1f} CNY/MWh", highlight=False)


def _size_unit(keys: list[str]) -> str:
    """Unit of the size keys (from the column names' suffix), e.g. 'MW' or 'MWh'."""
    from .units import units_of

    try:
        units = {units_of(k) for k in keys}
    except KeyError:
        return "size unit"
    return units.pop() if len(units) == 1 else "size unit"


@command(reads_runs=True)
def plot(run_dir: Annotated[Path, typer.Argument(help="A run folder.")],
         week: Annotated[str | None, typer.Option(
             "--week", help="First day of the week to show (YYYY-MM-DD).")] = None) -> None:
    """PNG figures into RUN_DIR/figures: dispatch and heat week, monthly curtailment,
    duration curves."""
    from .plots import all_figures, week_start_of
    from .results import read_netcdf

    if not (run_dir / "results.nc").is_file():
        _fail(InputError(run_dir, "results.nc", "not found", "a folder written by gridmodel run"))
    ds = read_netcdf(run_dir / "results.nc")
    week_start_of(ds, week)  # a bad date fails before any figure is drawn
    for path in all_figures(ds, run_dir / "figures", week):
        console.print(f"wrote {path}")


@command(reads_runs=True)
def calibrate(run_dir: Annotated[Path, typer.Argument(help="A run folder of the Jilin year.")]
              ) -> None:
    """Model vs 2016 statistics side by side; writes calibration.md into the run folder."""
    from . import backtest, calibration

    if not (run_dir / "results.nc").is_file():
        _fail(InputError(run_dir, "results.nc", "not found", "a folder written by gridmodel run"))
    try:
        year = backtest.statistics_year(run_dir)
        text, line = calibration.write_report(run_dir) if year in (None, 2016) else \
            backtest.write_report(run_dir, year)
    except GridmodelError as exc:
        _fail(exc)
    console.print(text, highlight=False, soft_wrap=True)
    console.print(line, style="green" if line.startswith("all") else "yellow",
                  highlight=False)


@command("ac-check", reads_runs=True)
def ac_check(run_dir: Annotated[Path, typer.Argument(help="A run folder.")],
             slack_bus: Annotated[str | None, typer.Option(
                 "--slack-bus", help="Bus whose external grid balances losses (default: the "
                 "network's ac_slack_bus, else its DC slack).")] = None) -> None:
    """AC power flow (pandapower runpp) of the peak-load hour and the windiest night hour."""
    from .case import load_case
    from .network.ac_check import check_hour, peak_and_windy_night, slack_bus_name
    from .network.io import load_net
    from .results import read_netcdf

    try:
        case = load_case(run_dir / "case.resolved.toml")
        net, ds = load_net(case.network), read_netcdf(run_dir / "results.nc")
        slack = slack_bus_name(net, slack_bus)
        results = [check_hour(net, ds, i, slack) for i in peak_and_windy_night(ds)]
    except GridmodelError as exc:
        _fail(exc)
    for r in results:
        console.print(f"{r.time}: converged={r.converged} V {r.vm_min_pu:.3f}–{r.vm_max_pu:.3f} pu,"
                      f" max line loading {r.max_line_loading_pct:.0f} %, slack {r.slack_mw:.0f} MW")
    if not all(r.converged for r in results):
        raise typer.Exit(1)


@command()
def describe() -> None:
    """Print the reference tables (case keys, table columns, outputs, causes) generated from
    the code's declarations, as docs/reference-tables.md holds them."""
    from .describe import reference
    from .model.techs import TECHNOLOGIES

    sys.stdout.write(reference(TECHNOLOGIES))


@command("build-years")
def build_years(networks: Annotated[Path, typer.Option(
        "--networks", help="Folder holding jilin/years.csv.")] = Path("networks"),
        cases: Annotated[Path, typer.Option("--cases", help="Folder of the case files.")]
        = Path("cases")) -> None:
    """Write cases/jilin-YYYY.toml for every later year of networks/jilin/years.csv: the
    2016 case changed by what the year table says, the calibration fixed."""
    from .years import write_year_cases

    for path in write_year_cases(networks / "jilin" / "years.csv", cases):
        console.print(f"wrote {path}")


@command("build-jilin")
def build_jilin(networks: Annotated[Path, typer.Option(
        "--networks", help="Folder holding jilin/ input tables.")] = Path("networks"),
        seed: Annotated[int, typer.Option("--seed", help="Profile generator seed.")] = 2016,
        weather_years: Annotated[int, typer.Option(
            "--weather-years", help="Write N profile files of seeds seed … seed+N−1 "
            "(weather years for a sweep over `profiles`), not the network.")] = 0
        ) -> None:
    """Rebuild networks/jilin_2016.json and jilin_2016_profiles.nc from networks/jilin/."""
    from .network.jilin import write, write_weather_years

    if weather_years:
        paths = write_weather_years(networks, seed, weather_years)
        console.print(f"wrote {len(paths)} profile files; sweep them with --set profiles="
                      + ",".join(str(p) for p in paths))
        return
    net_path, prof_path = write(networks, seed)
    console.print(f"wrote {net_path} and {prof_path}")


def main() -> None:  # pragma: no cover
    app()
