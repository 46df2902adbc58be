"""Calibration report: model KPIs of a run against the 2016 statistics (shared/reference)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import xarray as xr


@dataclass(frozen=True)
class Target:
    label: str
    value: float | None
    low: float
    high: float
    unit: str
    source: str


TARGETS = {  # key -> target (from ../shared/reference/jilin-2016.md)
    "wind_curtailment_pct": Target("wind curtailment, year", 30, 27, 33, "%", "S15, S18"),
    "q1_wind_curtailment_pct": Target("wind curtailment, Q1", 53, 30, 100, "%",
                                      "S17 (must be well above the year)"),
    "summer_wind_curtailment_pct": Target("wind curtailment, Jun–Aug", None, 0, 15, "%",
                                          "reference: low in summer"),
    "wind_used_twh": Target("wind generation", 6.69, 6.02, 7.36, "TWh", "S12 (± 10 %)"),
    "load_twh": Target("consumption", 66.8, 66.13, 67.47, "TWh", "S5 (± 1 %)"),
    "thermal_generation_twh": Target("thermal generation", 57.8, 52.02, 63.58, "TWh",
                                     "S12 (± 10 %)"),
    "net_export_twh": Target("net export", 7.4, 5.0, 8.0, "TWh", "S12 (5–8 TWh)"),
    "hydro_generation_twh": Target("hydro generation", 7.87, 6.3, 9.4, "TWh", "S12 (± 20 %)"),
}


def _curtailment_pct(ds: xr.Dataset, months: list[int] | None = None) -> float:
    wind = ds["renewable_kind"] == "wind"
    avail = ds["renewable_available_mw"].where(wind, 0.0)
    used = ds["renewable_used_mw"].where(wind, 0.0)
    if months:
        sel = ds["time"].dt.month.isin(months)
        avail, used = avail.sel(time=sel), used.sel(time=sel)
    a = float(avail.sum())
    return 100 * (a - float(used.sum())) / a if a > 0 else 0.0


def model_figures(ds: xr.Dataset, summary: dict) -> dict:
    twh = 1e-6
    return {
        "wind_curtailment_pct": _curtailment_pct(ds),
        "q1_wind_curtailment_pct": _curtailment_pct(ds, [1, 2, 3]),
        "summer_wind_curtailment_pct": _curtailment_pct(ds, [6, 7, 8]),
        "wind_used_twh": summary["wind_used_mwh"] * twh,
        "load_twh": summary["load_mwh"] * twh,
        "thermal_generation_twh": summary["thermal_generation_mwh"] * twh,
        "net_export_twh": (summary["export_mwh"] - summary["import_mwh"]) * twh,
        "hydro_generation_twh": summary.get("hydro_generation_mwh", 0.0) * twh,
    }


def monthly_wind_curtailment_pct(ds: xr.Dataset) -> dict[int, float]:
    months = sorted({int(m) for m in ds["time"].dt.month.values})
    return {m: _curtailment_pct(ds, [m]) for m in months}


def report(ds: xr.Dataset, summary: dict) -> tuple[str, bool]:
    """Markdown table model vs statistic; True when every target is met."""
    figures = model_figures(ds, summary)
    lines = ["| figure | model | statistic | accepted range | met | source |",
             "|---|---|---|---|---|---|"]
    all_met = True
    for key, target in TARGETS.items():
        value = figures[key]
        met = target.low <= value <= target.high
        all_met &= met
        stat = "–" if target.value is None else f"{target.value:g} {target.unit}"
        lines.append(f"| {target.label} | {value:.2f} {target.unit} | {stat} | "
                     f"{target.low:g}–{target.high:g} | {'yes' if met else 'NO'} | "
                     f"{target.source} |")
    monthly = monthly_wind_curtailment_pct(ds)
    lines += ["", "Monthly wind curtailment (%): " + ", ".join(
        f"{m}: {v:.0f}" for m, v in monthly.items())]
    return "\n".join(lines) + "\n", all_met


def write_report(run_dir: Path) -> tuple[str, bool]:
    from .compare import read_summary
    from .results import read_netcdf

    ds = read_netcdf(run_dir / "results.nc")
    summary = read_summary(run_dir)
    text, ok = report(ds, summary)
    header = f"# Calibration of {run_dir.name} against Jilin 2016\n\n"
    (run_dir / "calibration.md").write_text(header + text)
    return text, ok
