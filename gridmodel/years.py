"""Back-test years: cases for later years built from the 2016 case by what the year table
(networks/jilin/years.csv) says changed, with the 2016 calibration fixed.

Rule: a year's inputs are rows of role `input`; rows of role `outcome` (generation,
curtailment, net export) are what `gridmodel calibrate` holds the year against, never an
input. The weather year stays 2016 (its profiles); the wind resource is reshaped to the
full-load hours of the fleet in a year when curtailment did not bind (`wind_resource_h`, never
the year's own), the availability kept ≤ 1.

`gridmodel build-years` writes cases/jilin-YYYY.toml for every year of the table after 2016;
each override carries the row (and source) it comes from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import NetworkError

BASE_YEAR = 2016
HEAT_YEARS = (2016, 2020)  # the two years with a central-heat figure (growth between them)
PV_2016_MW = 70.0          # renewables.csv: solar_baicheng 40 + solar_changchun 30
HYDRO_2016_CONVENTIONAL_GW = 3.48  # hydro.csv: 1,000 + 1,500 + 980 MW (the rest is pumped)
PUMPED_2016_GW = 0.30
PUMPED_HOURS_H = 6.0       # Dunhua: 8,400 MWh / 1,400 MW (cases/jilin-2016-pumped-dunhua.toml)
TIES = {  # export_link row: (the figure of its scheduled flow, sign: + export, − import)
    "liaoning": (("liaoning_export_twh",), ()),
    "heilongjiang": ((), ("heilongjiang_import_twh",)),
    "east_inner_mongolia": (("inner_mongolia_export_twh",), ("inner_mongolia_import_twh",)),
}


# the figures a year table may hold: role and unit (the builder reads the inputs; calibrate
# holds a run against the outcomes)
FIGURES = {
    **{f: ("input", u) for f, u in [
        ("wind_capacity_mean_gw", "GW"), ("pv_capacity_mean_gw", "GW"),
        ("thermal_capacity_gw", "GW"), ("hydro_capacity_gw", "GW"),
        ("pumped_capacity_gw", "GW"), ("consumption_twh", "TWh"),
        ("central_heat_twh_th", "TWh_th"), ("wind_resource_h", "h"),
        ("liaoning_export_twh", "TWh"), ("heilongjiang_import_twh", "TWh"),
        ("inner_mongolia_export_twh", "TWh"), ("inner_mongolia_import_twh", "TWh")]},
    **{f: ("outcome", u) for f, u in [
        ("wind_generation_twh", "TWh"), ("thermal_generation_twh", "TWh"),
        ("hydro_generation_twh", "TWh"), ("net_export_twh", "TWh"),
        ("wind_curtailment_q1_q3_pct", "%"), ("wind_curtailment_q1_q3_pct_max", "%"),
        ("wind_curtailment_may_dec_pct", "%")]},
}


@dataclass
class Override:
    key: str       # table.asset.column
    value: float
    why: str       # the rows it comes from, for the case file's comment


def read_years(path: Path) -> pd.DataFrame:
    """The year table, indexed by (year, figure); roles input | outcome."""
    try:
        frame = pd.read_csv(path)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise NetworkError(path, "(file)", f"cannot read: {exc}", "the year table CSV") from None
    missing = [c for c in ("year", "figure", "value", "role") if c not in frame.columns]
    if missing:
        raise NetworkError(path, "(header)", f"no column {missing[0]!r}",
                           "columns year, figure, value, unit, role, flag, source")
    if not pd.api.types.is_integer_dtype(frame["year"]):
        raise NetworkError(path, "year", "a value that is not a whole year", "a year, e.g. 2022")
    bad = frame[~frame["role"].isin(["input", "outcome"])]
    if len(bad):
        raise NetworkError(path, f"row {bad.index[0] + 2}.role", repr(bad["role"].iloc[0]),
                           "input | outcome")
    for i, row in frame.iterrows():
        _check_row(path, i + 2, row)
    frame["value"] = frame["value"].astype(float)
    if frame.duplicated(["year", "figure"]).any():
        i = int(frame.duplicated(["year", "figure"]).to_numpy().argmax())
        raise NetworkError(path, f"row {i + 2}", "a year's figure given twice", "one row each")
    return frame.set_index(["year", "figure"]).sort_index()


def _check_row(path: Path, line: int, row) -> None:
    """A known figure in its role, with a finite value in its unit (inputs ≥ 0)."""
    if row["figure"] not in FIGURES:
        raise NetworkError(path, f"row {line}.figure", repr(row["figure"]),
                           "one of " + ", ".join(FIGURES))
    role, unit = FIGURES[row["figure"]]
    if row["role"] != role:
        raise NetworkError(path, f"row {line}.role", repr(row["role"]),
                           f"{role} for {row['figure']}")
    try:
        v = float(row["value"])
    except (TypeError, ValueError):
        v = math.nan
    if not math.isfinite(v) or (role == "input" and v < 0):
        raise NetworkError(path, f"row {line}.value", repr(row["value"]),
                           f"a finite number in {unit}" + (", ≥ 0" if role == "input" else ""))


def value(years: pd.DataFrame, year: int, figure: str, role: str = "input") -> float | None:
    if (year, figure) not in years.index or years.loc[(year, figure), "role"] != role:
        return None
    return float(years.loc[(year, figure), "value"])


def _known(years, year: int, figure: str) -> tuple[int, float]:
    """The figure in `year`, else in the latest earlier year that has it (an assumption the
    case file's comment states)."""
    for y in range(year, BASE_YEAR - 1, -1):
        v = value(years, y, figure)
        if v is not None:
            return y, v
    raise KeyError(figure)


def resource_hours(years, year: int) -> tuple[int, float]:
    """The wind resource (h) of another year when curtailment did not bind: the latest year
    other than `year` that has one."""
    have = [y for (y, f) in years.index if f == "wind_resource_h" and y != year]
    if not have:
        raise KeyError("wind_resource_h")
    y = max(have)
    return y, value(years, y, "wind_resource_h")


def exponent_for_hours(profiles: list[np.ndarray], weights: list[float], hours: float,
                       steps_per_year: float) -> float:
    """k such that the capacity-weighted mean of 1 − (1 − p)^k over the year equals hours /
    steps_per_year (bisection; the mean rises with k)."""
    target = hours / steps_per_year
    w = np.asarray(weights, float) / sum(weights)

    def mean(k):
        return float(sum(wi * np.mean(1.0 - (1.0 - p) ** k) for wi, p in zip(w, profiles)))

    lo, hi = 0.2, 5.0
    if not mean(lo) <= target <= mean(hi):
        raise ValueError(f"{hours:g} h cannot be reached by reshaping the profiles")
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if mean(mid) < target else (lo, mid)
    return 0.5 * (lo + hi)


def overrides(years: pd.DataFrame, year: int, renewables: pd.DataFrame,
              wind_profiles: dict, boilers: pd.DataFrame | None = None) -> list[Override]:
    """What changed from 2016 to `year`, as case overrides. `renewables`: the 2016
    renewable table (kind, p_max_mw); `wind_profiles`: each wind row's availability (pu);
    `boilers`: the 2016 heat-only boilers (h_max_mw_th) with their zone's CHP heat
    (chp_mw_th)."""
    out = []

    def ratio(figure):
        y, v = _known(years, year, figure)
        return v / value(years, BASE_YEAR, figure), figure + (
            "" if y == year else f" (of {y}: NOT FOUND for {year})")

    wind = list(renewables.index[renewables["kind"] == "wind"])
    solar = list(renewables.index[renewables["kind"] == "solar"])
    hours_year, hours = resource_hours(years, year)
    k = exponent_for_hours([wind_profiles[w] for w in wind],
                           list(renewables.loc[wind, "p_max_mw"]), hours, hours_in(year))
    for w in wind:
        out += [Override(f"renewable.{w}.scale", *ratio("wind_capacity_mean_gw")),
                Override(f"renewable.{w}.availability_exponent_pu", round(k, 6),
                         f"wind_resource_h of {hours_year}: {hours:g} h a year")]
    pv = _known(years, year, "pv_capacity_mean_gw")[1] * 1000.0 / PV_2016_MW
    out += [Override(f"renewable.{a}.scale", pv, "pv_capacity_mean_gw") for a in solar]
    out.append(Override("load.*.scale", *ratio("consumption_twh")))
    heat = _heat_growth(years, year)
    out.append(Override("heat_zone.*.scale", heat, "central_heat_twh_th (growth 2016 → 2020)"))
    for name, row in (boilers if boilers is not None else pd.DataFrame()).iterrows():
        # the builder's rule: a zone's heating capacity grows with its heat; boilers add it
        grown = row.h_max_mw_th + (heat - 1.0) * (row.h_max_mw_th + row.chp_mw_th)
        out.append(Override(f"heat_boiler.{name}.h_max_mw_th", max(row.h_max_mw_th, grown),
                            "the zone's CHP + boiler capacity × the heat growth, less CHP"))
    out.append(Override("thermal.*.scale", *ratio("thermal_capacity_gw")))
    pumped = value(years, year, "pumped_capacity_gw") or PUMPED_2016_GW
    hydro_y, hydro = _known(years, year, "hydro_capacity_gw")
    out.append(Override("hydro.*.scale", (hydro - pumped) / HYDRO_2016_CONVENTIONAL_GW,
                        f"hydro_capacity_gw of {hydro_y} less pumped storage"))
    if pumped > PUMPED_2016_GW:
        mw = (pumped - PUMPED_2016_GW) * 1000.0
        out += [Override(f"pumped_hydro.dunhua_pumped.{c}", mw, "pumped_capacity_gw")
                for c in ("p_in_max_mw", "p_out_max_mw")]
        out.append(Override("pumped_hydro.dunhua_pumped.e_max_mwh", mw * PUMPED_HOURS_H,
                            f"pumped_capacity_gw × {PUMPED_HOURS_H:g} h"))
    out += [_tie(years, year, name, figures) for name, figures in TIES.items()]
    return out


def hours_in(year: int) -> float:
    return 8784.0 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 8760.0


def _heat_growth(years, year: int) -> float:
    a, b = (value(years, y, "central_heat_twh_th") for y in HEAT_YEARS)
    return (b / a) ** ((year - HEAT_YEARS[0]) / (HEAT_YEARS[1] - HEAT_YEARS[0]))


def _tie(years, year: int, name: str, figures) -> Override:
    """schedule_scale of a tie: its net scheduled flow against 2016's (the 2016 profile is
    that year's flow; a later year's figure missing: the latest earlier one)."""
    out, into = figures

    def net(y):
        flows = [(_known(years, y, f), +1) for f in out] + [(_known(years, y, f), -1)
                                                            for f in into]
        return sum(s * v for (_, v), s in flows), sorted({fy for (fy, _), _ in flows})

    net_y, used = net(year)
    net_2016, _ = net(BASE_YEAR)
    gone = used != [year]
    why = "+".join(out + into) + (f" (of {', '.join(map(str, used))}: NOT FOUND for "
                                  f"{year})" if gone else "")
    return Override(f"export_link.{name}.schedule_scale", net_y / net_2016, why)


MARKET_ON = ("peak_regulation = true   # the Northeast peak-regulation market (深度调峰, from "
             "2017): tiers in networks/jilin/peak_regulation.csv")


def case_text(year: int, items: list[Override], source_rows: Path) -> str:
    """A year case (TOML) that extends the 2016 baseline by the overrides."""
    lines = [f"# Jilin {year} back-test case, written by `gridmodel build-years` from",
             f"# {source_rows.as_posix()} (every value's row and source there). The 2016",
             "# calibration (c_b, boiler share, process steam, wind priority, hydro and tie",
             "# rules) is fixed; the weather year is 2016's. Do not edit: rebuild.",
             'extends = "jilin-2016.toml"',
             f'description = "Jilin {year} back-test: the 2016 system changed by the year table"',
             f"statistics_year = {year}", "",
             "[technologies]", MARKET_ON, ""]
    by_table: dict = {}
    for o in items:
        table, asset, column = o.key.split(".")
        by_table.setdefault((table, asset), []).append((column, o))
    for (table, asset), cols in by_table.items():
        quoted = f'"{asset}"' if asset == "*" else asset
        lines.append(f"[overrides.{table}.{quoted}]")
        for column, o in cols:
            lines.append(f"{column} = {_num(o.value)}   # {o.why}")
        lines.append("")
    return "\n".join(lines)


def _num(v: float) -> str:
    return repr(round(float(v), 6)) if math.isfinite(v) else "nan"


def write_year_cases(table: Path, cases: Path) -> list[Path]:
    """cases/jilin-YYYY.toml for each year after 2016 in the table (temporary file, then
    renamed; a case file that is a link is refused)."""
    from .case import load_case
    from .model.techs import TECHNOLOGIES
    from .network.loader import system_from_case

    years = read_years(table)
    system = system_from_case(load_case(cases / "jilin-2016.toml"), TECHNOLOGIES)
    renewables = system.table("renewable")
    chp = next(t for t in TECHNOLOGIES if t.NAME == "chp").firm_capacity(system)["heat"]
    boilers = system.table("heat_boiler")[["zone", "h_max_mw_th"]].copy()
    boilers["chp_mw_th"] = chp.reindex(boilers["zone"]).fillna(0.0).to_numpy()
    wind = {r: system.series(renewables.at[r, "profile"]) for r in renewables.index
            if renewables.at[r, "kind"] == "wind"}
    written = []
    for year in sorted({y for y, _ in years.index if y > BASE_YEAR}):
        path = cases / f"jilin-{year}.toml"
        if path.is_symlink():
            raise NetworkError(path, "(file)", "is a link", "a regular case file")
        text = case_text(year, overrides(years, year, renewables, wind, boilers),
                         Path("networks/jilin/years.csv"))
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        written.append(path)
    return written
