"""Command line: the only module that prints."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from .errors import GridmodelError

app = typer.Typer(add_completion=False, no_args_is_help=True, help=(
    "gridmodel: unit commitment and heat-electricity dispatch of the Jilin power system."))
console = Console()
err_console = Console(stderr=True)

SetOpt = Annotated[Optional[list[str]], typer.Option(
    "--set", help="Override a case value, e.g. --set model.commitment=binary (repeatable).")]


def _fail(exc: GridmodelError) -> None:
    err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(exc.exit_code)


def _load(case_file: Path, sets):
    from .case import load_case

    return load_case(case_file, sets or [])


KEY_ROWS = ("status", "objective_cny", "load_mwh", "unserved_energy_mwh", "wind_curtailment_pct",
            "solar_curtailment_pct", "renewable_absorption_pct", "thermal_generation_mwh",
            "export_mwh", "import_mwh", "co2_t", "mip_gap", "solve_time_s", "wall_time_s")


def _print_summary(summary: dict, out_dir) -> None:
    table = Table(title=f"summary ({out_dir})")
    table.add_column("key")
    table.add_column("value", justify="right")
    for key in KEY_ROWS:
        value = summary.get(key)
        table.add_row(key, f"{value:,.4g}" if isinstance(value, float) else str(value))
    console.print(table)


@app.command()
def run(case_file: Annotated[Path, typer.Argument(help="Case file (TOML).")],
        out: Annotated[Optional[Path], typer.Option(
            "--out", help="Run folder (default results/<case name>/).")] = None,
        force: Annotated[bool, typer.Option("--force", help="Replace an existing run folder.")]
        = False,
        set_: SetOpt = None) -> None:
    """Solve a case and write results.nc, summary.json, run.json and case.resolved.toml."""
    from .run import run_case

    try:
        case = _load(case_file, set_)
        with console.status(f"solving {case.name} ..."):
            outcome = run_case(case, out, force)
    except GridmodelError as exc:
        _fail(exc)
    _print_summary(outcome.summary, outcome.out_dir)
    for when, bus, mw in outcome.info["unserved_energy"][:10]:
        console.print(f"[yellow]unserved energy[/] {when} at {bus}: {mw:.3f} MW")


@app.command()
def validate(case_file: Annotated[Path, typer.Argument(help="Case file (TOML).")],
             set_: SetOpt = None) -> None:
    """Check the case, its network and its profiles without solving."""
    from .model.techs import TECHNOLOGIES
    from .network.loader import system_from_case

    try:
        case = _load(case_file, set_)
        system = system_from_case(case, TECHNOLOGIES)
    except GridmodelError as exc:
        _fail(exc)
    counts = ", ".join(f"{k}: {len(v)}" for k, v in system.tables.items())
    net = system.network
    console.print(f"[green]ok[/] {case.name}: {len(net.buses)} buses, {len(net.ptdf)} branches "
                  f"({len(net.limited_branches)} with limits); {counts}; {system.n_steps} steps "
                  f"of {system.dt_h:g} h from {system.time[0]}")


def main() -> None:  # pragma: no cover
    app()
