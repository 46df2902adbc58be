"""Calibration report: model KPIs of a run against the 2016 statistics (shared/reference)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .compare import read_summary
from .errors import InputError
from .profiles import nbs
from .results import read_netcdf


@dataclass(frozen=True)
class Target:
    label: str
    value: float | None
    low: float
    high: float
    unit: str
    source: str
    decimals: int = 2


TARGETS = {  # key -> target (../shared/reference/jilin-2016.md; ranges from issue 13)
    "wind_curtailment_pct": Target("wind curtailment, year", 30, 27, 33, "%", "S15, S18"),
    "q1_wind_curtailment_pct": Target("wind curtailment, Q1", 53, 45, 60, "%", "S17"),
    "spring_wind_curtailment_pct": Target("wind curtailment, Apr–May", None, 0.5, 60, "%",
                                          "non-zero in the windy spring (Q2 used hours, S19)"),
    "autumn_wind_curtailment_pct": Target("wind curtailment, Sep–Oct", None, 0.5, 60, "%",
                                          "non-zero in the windy autumn (Q4 used hours, S18)"),
    "summer_wind_curtailment_pct": Target("wind curtailment, Jun–Aug", None, 0, 15, "%",
                                          "reference: low in summer"),
    "wind_used_twh": Target("wind generation", 6.69, 6.02, 7.36, "TWh", "S12 (± 10 %)"),
    "load_twh": Target("consumption", 66.8, 66.13, 67.47, "TWh", "S5 (± 1 %)"),
    "thermal_generation_twh": Target("thermal generation", 57.8, 52.02, 63.58, "TWh",
                                     "S12 (± 10 %)"),
    "net_export_twh": Target("net export", 7.4, 5.0, 8.0, "TWh", "S12 (5–8 TWh)"),
    "hydro_generation_twh": Target("hydro generation", 7.87, 7.08, 8.66, "TWh",
                                   "S12 (± 10 %)"),
    "chp_winter_heat_pct": Target("CHP share of winter heat (Nov–Mar)", None, 70, 100,
                                  "% of heat demand", "S22: coal CHP > 70 % of winter heat", 1),
    "unserved_heat_pct": Target("unserved heat", 0, 0, 0.1, "% of heat demand",
                                "the system served its heat", 3),
    "excess_energy_pct": Target("excess-energy slack", 0, 0, 0.01, "% of load",
                                "every hour balanced", 3),
}
# Wind full-load hours of generation by quarter, 2016 (on the capacity in service then):
# Q1 224 h (S17); H1 677 h (S19); Q1–Q3 951 h (S20); year ≈ 1,410 h (S15, S18; D).
QUARTER_USED_H = {1: 224, 2: 677 - 224, 3: 951 - 677, 4: 1410 - 951}
QUARTER_SHARE_TOLERANCE_PP = 3.0  # the statistics' capacity base moves within the year


def _wind(ds: xr.Dataset, months: list[int] | None) -> tuple[float, float]:
    """(available, used) wind MWh over the months (all when None)."""
    wind = ds["renewable_kind"] == "wind"
    avail = ds["renewable_available_mw"].where(wind, 0.0)
    used = ds["renewable_used_mw"].where(wind, 0.0)
    if months:
        sel = ds["time"].dt.month.isin(months)
        avail, used = avail.sel(time=sel), used.sel(time=sel)
    dt_h = _dt_h(ds)
    return float(avail.sum()) * dt_h, float(used.sum()) * dt_h


def _dt_h(ds: xr.Dataset) -> float:
    if ds.sizes.get("time", 0) < 2:
        return 1.0
    return float((ds["time"][1] - ds["time"][0]) / np.timedelta64(1, "h"))


def _curtailment_pct(ds: xr.Dataset, months: list[int] | None = None) -> float:
    avail, used = _wind(ds, months)
    return 100 * (avail - used) / avail if avail > 0 else 0.0


def _pct(part: float, whole: float) -> float:
    return 100 * part / whole if whole > 0 else 0.0


def _winter_share_pct(ds: xr.Dataset, part: str, whole: str) -> float:
    """Σ part / Σ whole over November–March (0 when the run has neither)."""
    if part not in ds or whole not in ds:
        return 0.0
    winter = ds["time"].dt.month.isin([11, 12, 1, 2, 3])
    return _pct(float(ds[part].sel(time=winter).sum()), float(ds[whole].sel(time=winter).sum()))


def model_figures(ds: xr.Dataset, summary: dict) -> dict:
    twh = 1e-6
    return {
        "wind_curtailment_pct": _curtailment_pct(ds),
        "q1_wind_curtailment_pct": _curtailment_pct(ds, [1, 2, 3]),
        "spring_wind_curtailment_pct": _curtailment_pct(ds, [4, 5]),
        "autumn_wind_curtailment_pct": _curtailment_pct(ds, [9, 10]),
        "summer_wind_curtailment_pct": _curtailment_pct(ds, [6, 7, 8]),
        "wind_used_twh": summary["wind_used_mwh"] * twh,
        "load_twh": summary["load_mwh"] * twh,
        "thermal_generation_twh": summary["thermal_generation_mwh"] * twh,
        "net_export_twh": (summary["export_mwh"] - summary["import_mwh"]) * twh,
        "hydro_generation_twh": summary.get("hydro_generation_mwh", 0.0) * twh,
        "chp_winter_heat_pct": _winter_share_pct(ds, "chp_heat_mw_th", "heat_zone_demand_mw_th"),
        "unserved_heat_pct": _pct(summary.get("unserved_heat_mwh", 0.0),
                                  summary.get("heat_demand_mwh", 0.0)),
        "excess_energy_pct": _pct(summary.get("excess_energy_mwh", 0.0), summary["load_mwh"]),
    }


def monthly_wind_curtailment_pct(ds: xr.Dataset) -> dict[int, float]:
    months = sorted({int(m) for m in ds["time"].dt.month.values})
    return {m: _curtailment_pct(ds, [m]) for m in months}


def quarterly_wind_rows(ds: xr.Dataset) -> list[dict]:
    """Per quarter: model curtailment and share of the year's wind generation beside the
    statistics' share of full-load hours (QUARTER_USED_H)."""
    used_year = _wind(ds, None)[1]
    hours_year = sum(QUARTER_USED_H.values())
    rows = []
    for q, hours in QUARTER_USED_H.items():
        months = [3 * q - 2, 3 * q - 1, 3 * q]
        avail, used = _wind(ds, months)
        if avail <= 0:  # quarter not in the run
            continue
        model_share = _pct(used, used_year)
        stat_share = 100 * hours / hours_year
        rows.append({"quarter": q, "curtailment_pct": _curtailment_pct(ds, months),
                     "model_share_pct": model_share, "statistic_share_pct": stat_share,
                     "met": abs(model_share - stat_share) <= QUARTER_SHARE_TOLERANCE_PP})
    return rows


def _hourly_sum(ds: xr.Dataset, var: str, kind=None, exclude_kind=None) -> xr.DataArray:
    """Σ over assets per step (MW) of `var`, optionally only (or all but) thermal_kind."""
    if var not in ds:
        return xr.zeros_like(ds["time"], dtype=float)
    da = ds[var]
    if kind is not None or exclude_kind is not None:
        if "thermal_kind" not in ds.coords:
            return da.sum("thermal") * (0.0 if kind is not None else 1.0)
        sel = ds["thermal_kind"] == kind if kind is not None else ds["thermal_kind"] != exclude_kind
        da = da.where(sel, 0.0)
    return da.sum([d for d in da.dims if d != "time"])


def _covered(ds: xr.Dataset, months: list[int]) -> bool:
    """True when the run holds every hour of these calendar months."""
    year = int(ds["time"].dt.year.values[0])
    hours = sum(pd.Period(f"{year}-{m:02d}").days_in_month * 24 for m in months)
    in_run = int(ds["time"].dt.month.isin(months).sum()) * _dt_h(ds)
    return abs(in_run - hours) < 1e-6


def monthly_generation_rows(ds: xr.Dataset, stats: pd.DataFrame | None = None) -> list[dict]:
    """Per NBS period ("1-2", "3", …, "12") the run covers fully: model wind, hydro and
    thermal generation (GWh) beside the NBS figures (S5), and the model's curtailment."""
    stats = nbs.periods_gwh() if stats is None else stats
    wind = ds["renewable_kind"] == "wind"
    series = {"wind": ds["renewable_used_mw"].where(wind, 0.0).sum("renewable"),
              "hydro": _hourly_sum(ds, "hydro_generation_mw")
              + _hourly_sum(ds, "thermal_p_mw", kind="hydro"),
              "thermal": _hourly_sum(ds, "thermal_p_mw", exclude_kind="hydro")}
    month, gwh = ds["time"].dt.month, _dt_h(ds) / 1e3
    rows = []
    for period in stats.index:
        months = [int(m) for m in period.split("-")]
        months = list(range(months[0], months[-1] + 1))
        if not _covered(ds, months):
            continue
        sel = month.isin(months)
        row = {"period": period, "curtailment_pct": _curtailment_pct(ds, months)}
        for carrier, mw in series.items():
            row[f"{carrier}_model_gwh"] = float(mw.sel(time=sel).sum()) * gwh
            row[f"{carrier}_nbs_gwh"] = float(stats.at[period, carrier])
        rows.append(row)
    return rows


def _monthly_table(rows: list[dict]) -> list[str]:
    if not rows:
        return []
    lines = ["", ("By month: model generation beside NBS (S5; January and February are "
                  "published together). NBS counts plants above designated size: its 2016 "
                  "total (72.5 TWh) is 1.7 TWh below consumption + net export (74.2 TWh, "
                  "S5, S12): small plants outside dispatch (embedded_generation.csv), which "
                  "the thermal column here does not include:"),
             "", ("| months | curtailment | wind model | wind NBS | hydro model | hydro NBS | "
                  "thermal model | thermal NBS |"), "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['period']} | {r['curtailment_pct']:.1f} % | "
                     + " | ".join(f"{r[f'{c}_{w}_gwh']:,.0f} GWh" for c in nbs.CARRIERS
                                  for w in ("model", "nbs")) + " |")
    return lines


def report(ds: xr.Dataset, summary: dict) -> tuple[str, bool, list[int]]:
    """Markdown table model vs statistic; True when every target is met, and the quarters
    whose share of the year's wind is outside the secondary ± 3 pp check."""
    figures = model_figures(ds, summary)
    lines = ["| figure | model | statistic | accepted range | met | source |",
             "|---|---|---|---|---|---|"]
    all_met = True
    for key, target in TARGETS.items():
        value = figures[key]
        met = target.low <= value <= target.high
        all_met &= met
        stat = "–" if target.value is None else f"{target.value:g} {target.unit}"
        lines.append(f"| {target.label} | {value:.{target.decimals}f} {target.unit} | {stat} | "
                     f"{target.low:g}–{target.high:g} | {'yes' if met else 'NO'} | "
                     f"{target.source} |")
    lines += ["", ("Wind by quarter: the model's share of the year's wind generation beside "
                   f"the statistics' share of full-load hours (± "
                   f"{QUARTER_SHARE_TOLERANCE_PP:g} pp):"),
              "", "| quarter | curtailment | model share | statistic share | met |",
              "|---|---|---|---|---|"]
    quarters_off = []
    for row in quarterly_wind_rows(ds):
        if not row["met"]:
            quarters_off.append(row["quarter"])
        lines.append(f"| Q{row['quarter']} | {row['curtailment_pct']:.1f} % | "
                     f"{row['model_share_pct']:.1f} % | {row['statistic_share_pct']:.1f} % | "
                     f"{'yes' if row['met'] else 'NO'} |")
    monthly = monthly_wind_curtailment_pct(ds)
    lines += ["", "Monthly wind curtailment (%): " + ", ".join(
        f"{m}: {v:.0f}" for m, v in monthly.items())]
    lines += _monthly_table(monthly_generation_rows(ds))
    return "\n".join(lines) + "\n", all_met, quarters_off


def verdict(all_met: bool, quarters_off: list[int]) -> str:
    """One line: the targets first, the secondary quarter-share check after them."""
    if not all_met:
        return "some targets missed"
    if not quarters_off:
        return "all targets met"
    names = ", ".join(f"Q{q}" for q in quarters_off)
    return (f"all targets met; secondary check: {names} share of the year's wind outside "
            f"± {QUARTER_SHARE_TOLERANCE_PP:g} pp")


def check_full_year(ds: xr.Dataset, run_dir: Path) -> None:
    """The statistics are the 2016 year's: a run of another period is refused (a week's
    curtailment is not the year's)."""
    times = pd.DatetimeIndex(ds["time"].values)
    hours = len(times) * float(ds.attrs.get("dt_h", 1.0))
    if times[0] != pd.Timestamp("2016-01-01") or abs(hours - 8784.0) > 1e-6:
        raise InputError(run_dir, "results.nc", f"the run covers {hours:g} h from {times[0]}",
                         "a run of the whole year 2016 (8,784 h from 2016-01-01), the period "
                         "of the statistics")


def write_report(run_dir: Path) -> tuple[str, str]:
    """Write calibration.md into the run folder; the report's text and its verdict line."""

    ds = read_netcdf(run_dir / "results.nc")
    summary = read_summary(run_dir)
    check_full_year(ds, run_dir)
    text, all_met, quarters_off = report(ds, summary)
    line = verdict(all_met, quarters_off)
    header = f"# Calibration of {run_dir.name} against Jilin 2016\n\n"
    (run_dir / "calibration.md").write_text(header + text + "\n" + line + "\n")
    return text, line
