"""`gridmodel calibrate` for a back-test year: the run beside that year's outcomes in the year
table (networks/jilin/years.csv, rows of role `outcome`), with the bars of the back-test.

A back-test run is the 2016 weather year (8,784 h) with a later year's system; its energies
are compared per year of the statistic (× the year's hours / 8,784).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import xarray as xr

from .calibration import _curtailment_pct
from .compare import read_summary
from .errors import InputError
from .results import read_netcdf
from .years import hours_in, read_years, value

Q1_Q3, MAY_DEC = list(range(1, 10)), list(range(5, 13))


@dataclass(frozen=True)
class Bar:
    label: str
    figure: str          # the year table's outcome row
    kind: str            # within_pct | within_pp | at_most
    tolerance: float
    unit: str


BARS = (  # issue 26's bars, for every year that has the statistic
    Bar("wind used", "wind_generation_twh", "within_pct", 10.0, "TWh"),
    Bar("thermal generation (NBS)", "thermal_generation_twh", "within_pct", 10.0, "TWh"),
    Bar("hydro generation (NBS)", "hydro_generation_twh", "within_pct", 15.0, "TWh"),
    Bar("net export", "net_export_twh", "within_pct", 15.0, "TWh"),
    Bar("wind curtailment, Q1–Q3", "wind_curtailment_q1_q3_pct", "within_pp", 5.0, "%"),
    Bar("wind curtailment, Q1–Q3 (at most)", "wind_curtailment_q1_q3_pct_max", "at_most", 8.0,
        "%"),
    Bar("wind curtailment, May–Dec", "wind_curtailment_may_dec_pct", "at_most", 5.0, "%"),
)


def model_figures(ds: xr.Dataset, summary: dict, year: int) -> dict:
    per_year = hours_in(year) / (ds.sizes["time"] * float(ds.attrs.get("dt_h", 1.0)))
    twh = 1e-6 * per_year
    return {
        "wind_generation_twh": summary["wind_used_mwh"] * twh,
        "thermal_generation_twh": summary["thermal_generation_mwh"] * twh,
        "hydro_generation_twh": summary.get("hydro_generation_mwh", 0.0) * twh,
        "net_export_twh": (summary["export_mwh"] - summary["import_mwh"]) * twh,
        "wind_curtailment_q1_q3_pct": _curtailment_pct(ds, Q1_Q3),
        "wind_curtailment_q1_q3_pct_max": _curtailment_pct(ds, Q1_Q3),
        "wind_curtailment_may_dec_pct": _curtailment_pct(ds, MAY_DEC),
        "wind_curtailment_pct": _curtailment_pct(ds),
    }


def _met(bar: Bar, model: float, stat: float) -> tuple[bool, str]:
    if bar.kind == "within_pct":
        return abs(model - stat) <= bar.tolerance / 100 * abs(stat), f"± {bar.tolerance:g} %"
    if bar.kind == "within_pp":
        return abs(model - stat) <= bar.tolerance, f"± {bar.tolerance:g} pp"
    limit = max(stat, bar.tolerance) if bar.figure.endswith("_max") else bar.tolerance
    return model <= limit, f"≤ {limit:g} {bar.unit}"


def report(ds: xr.Dataset, summary: dict, years, year: int) -> tuple[str, bool]:
    """Markdown table of the year's outcomes beside the model; True when every bar with a
    statistic is met (and nothing went unserved or spilled)."""
    figures = model_figures(ds, summary, year)
    lines = [f"| figure ({year}) | model | statistic | bar | met |", "|---|---|---|---|---|"]
    all_met = True
    for bar in BARS:
        stat = value(years, year, bar.figure, role="outcome")
        if stat is None:
            continue
        met, text = _met(bar, figures[bar.figure], stat)
        all_met &= met
        lines.append(f"| {bar.label} | {figures[bar.figure]:.2f} {bar.unit} | {stat:g} "
                     f"{bar.unit} | {text} | {'yes' if met else 'NO'} |")
    slack = {"unserved energy": summary.get("unserved_energy_mwh", 0.0),
             "unserved heat": summary.get("unserved_heat_mwh", 0.0)}
    for label, mwh in slack.items():
        all_met &= mwh <= 1e-6
        lines.append(f"| {label} | {mwh:,.0f} MWh | 0 | 0 | {'yes' if mwh <= 1e-6 else 'NO'} |")
    excess = 100 * summary.get("excess_energy_mwh", 0.0) / max(summary["load_mwh"], 1e-9)
    all_met &= excess <= 0.01
    lines.append(f"| excess energy | {excess:.3f} % of load | 0 | ≤ 0.01 % | "
                 f"{'yes' if excess <= 0.01 else 'NO'} |")
    lines.append(f"\nWind curtailment, year: {figures['wind_curtailment_pct']:.2f} % "
                 "(no statistic for the whole year).")
    return "\n".join(lines), all_met


def statistics_year(run_dir: Path) -> int | None:
    """The `statistics_year` of a run's resolved case (None: the 2016 calibration)."""
    try:
        resolved = tomllib.loads((run_dir / "case.resolved.toml").read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(run_dir, "case.resolved.toml", f"cannot read: {exc}",
                         "a folder written by gridmodel run") from None
    year = resolved.get("statistics_year")
    return year if isinstance(year, int) else None


def write_report(run_dir: Path, year: int) -> tuple[str, str]:
    """calibration.md of a back-test run: the year's outcomes beside the model."""
    ds, summary = read_netcdf(run_dir / "results.nc"), read_summary(run_dir)
    hours = ds.sizes["time"] * float(ds.attrs.get("dt_h", 1.0))
    if abs(hours - 8784.0) > 1e-6:
        raise InputError(run_dir, "results.nc", f"the run covers {hours:g} h",
                         "the whole (2016) weather year of a back-test case, 8,784 h")
    table = Path(tomllib.loads((run_dir / "case.resolved.toml").read_text("utf-8"))[
        "network"]).parent / "jilin" / "years.csv"
    text, all_met = report(ds, summary, read_years(table), year)
    line = "all bars met" if all_met else "some bars missed"
    (run_dir / "calibration.md").write_text(f"# Back-test of {run_dir.name} against Jilin "
                                            f"{year}\n\n{text}\n\n{line}\n")
    return text, line
