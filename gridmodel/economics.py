"""Economics of flexibility options: what a run adds over its baseline, and what that costs
per year (docs/methods.md "Economics").

The costs table (`costs = "…csv"` in the case) has one row per costed column of a technology
table. A run's *added size* of a row is Σ over the table's assets of max(0, run value −
baseline value), where the baseline is the same case without its `overrides` (the network as
the base case runs it); `basis = reduction` counts max(0, baseline − run) instead (e.g. a
lower minimum load after a retrofit, in MW of thermal p_min × units). Annualised capex =
added size × investment × (crf(r, lifetime) + fixed O&M share), crf = r / (1 − (1 + r)^−n).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError

HOURS_PER_YEAR = 8760.0
COLUMNS = {  # column: (type, unit, range)
    "option": (str, "label", None),
    "table": (str, "technology table", None),
    "column": (str, "column of that table", None),
    "basis": (str, "increase | reduction", None),
    "investment_cny_per_unit": (float, "CNY per unit of the column", (0.0, 1e10)),
    "lifetime_years": (float, "years", (1.0, 200.0)),
    "fixed_om_pct_per_year": (float, "% of investment per year", (0.0, 100.0)),
    "source": (str, "provenance", None),
}


def capital_recovery_factor(rate_pu: float, lifetime_years: float) -> float:
    """Annuity per unit of investment: r / (1 − (1 + r)^−n); 1/n at r = 0."""
    if rate_pu == 0:
        return 1.0 / lifetime_years
    return rate_pu / (1.0 - (1.0 + rate_pu) ** -lifetime_years)


def annuity_per_unit(row, rate_pu: float) -> float:
    """Annualised capex of one unit of a costs row: investment × (crf + fixed O&M share)."""
    return row.investment_cny_per_unit * (
        capital_recovery_factor(rate_pu, row.lifetime_years) + row.fixed_om_pct_per_year / 100.0)


def read_costs(path: Path, specs: dict) -> pd.DataFrame:
    """The costs table, every value checked (type, unit, range; known table and column)."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise InputError(path, "(file)", "empty", "CSV with a header row") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(path, "(file)", f"cannot read: {exc}", "CSV with a header row") from None
    if len(frame) > 10_000:
        raise InputError(path, "(file)", f"{len(frame)} rows", "at most 10,000 costed columns")
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(path, missing[0], "column missing", ", ".join(COLUMNS))
    twice = frame.duplicated(["table", "column"], keep="first")
    if twice.any():
        i = int(np.argmax(twice.to_numpy()))
        raise InputError(path, f"row {i + 2}.table/column", f"{frame.at[i, 'table']}."
                         f"{frame.at[i, 'column']} is costed twice", "one row per column")
    for i, row in frame.iterrows():
        for column, (kind, unit, bounds) in COLUMNS.items():
            key = f"row {i + 2}.{column}"
            if kind is float:
                frame.at[i, column] = _number(path, key, row[column], unit, bounds)
        if row["basis"] not in ("increase", "reduction"):
            raise InputError(path, f"row {i + 2}.basis", f"unknown {row['basis']!r}",
                             "increase | reduction")
        spec = specs.get(row["table"])
        if spec is None or row["column"] not in spec.columns:
            raise InputError(path, f"row {i + 2}.table/column", f"unknown {row['table']}."
                             f"{row['column']}", "a technology table and one of its columns")
        rule = spec.rule(row["column"])
        if rule.kind not in ("number", "integer"):
            raise InputError(path, f"row {i + 2}.column", f"{row['table']}.{row['column']} "
                             f"is {rule.kind}, not a size", "a numeric column (MW, MWh, …)")
    return frame.astype({c: float for c, v in COLUMNS.items() if v[0] is float})


def _number(path, key, text, unit, bounds) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(path, key, f"not a number: {text!r}", unit) from None
    if not np.isfinite(value) or not bounds[0] <= value <= bounds[1]:
        raise InputError(path, key, f"{value} outside [{bounds[0]:g}, {bounds[1]:g}]", unit)
    return value


def added_sizes(costs: pd.DataFrame, run_tables: dict, base_tables: dict) -> pd.Series:
    """Added size per costs row (the row's unit), run against baseline."""
    out = []
    for _, row in costs.iterrows():
        run = _column(run_tables, row.table, row.column)
        base = _column(base_tables, row.table, row.column).reindex(run.index).fillna(0.0)
        delta = run - base if row.basis == "increase" else base - run
        weight = _units(run_tables, row.table, run.index) if row.table == "thermal" else 1.0
        out.append(float((delta.clip(lower=0.0) * weight).sum()))
    return pd.Series(out, index=costs["option"], dtype=float)


def _column(tables, table, column) -> pd.Series:
    df = tables.get(table, pd.DataFrame())
    if column not in df:
        return pd.Series(dtype=float)
    return pd.to_numeric(df[column], errors="coerce").fillna(0.0)


def _units(tables, table, index):
    return pd.to_numeric(tables[table]["n_units"], errors="coerce").reindex(index).fillna(1.0)


def summary(costs: pd.DataFrame, sizes: pd.Series, rate_pu: float, run_hours: float) -> dict:
    """`annualised_capex_cny` (per year), `capex_for_run_cny` (its share of the run's
    length, comparable with the run's operating cost) and the added size and annualised
    capex of each option."""
    annual = np.array([size * annuity_per_unit(row, rate_pu)
                       for size, (_, row) in zip(sizes, costs.iterrows())])
    total = float(annual.sum())
    return {"annualised_capex_cny": total,
            "capex_for_run_cny": total * run_hours / HOURS_PER_YEAR,
            "options_added": {name: {"size": float(size), "unit": str(row.column),
                                     "annualised_capex_cny": float(a)}
                              for (name, size), (_, row), a in zip(
                                  sizes.items(), costs.iterrows(), annual) if size > 0}}


def check_costs(case, techs) -> None:
    """Read the case's costs table now, so a broken one fails before any solve."""
    if case.costs is not None:
        read_costs(case.costs, {tech.SPEC.table: tech.SPEC for tech in techs})


def for_case(case, system, techs) -> dict:
    """The economics summary of a solved case (empty without a costs table)."""
    if case.costs is None:
        return {}
    from .network.loader import prepared_tables

    specs = {tech.SPEC.table: tech.SPEC for tech in techs}
    costs = read_costs(case.costs, specs)
    base = prepared_tables(case.model_copy(update={"overrides": {}}), techs)
    sizes = added_sizes(costs, system.tables, base)
    return summary(costs, sizes, case.economics.discount_rate_pu,
                   system.n_steps * system.dt_h)


def net_benefit(ref: dict, run: dict) -> tuple[float, float]:
    """(net benefit CNY, levelised cost CNY per avoided MWh) of a run against a reference,
    both over the run's period: benefit = operating-cost saving − added capex (its share of
    the period); levelised = (operating-cost change + added capex) / avoided curtailment
    (NaN when nothing is avoided)."""
    capex = run.get("capex_for_run_cny", 0.0) - ref.get("capex_for_run_cny", 0.0)
    saving = ref.get("operating_cost_cny", np.nan) - run.get("operating_cost_cny", np.nan)
    avoided = ref.get("renewable_curtailed_mwh", 0.0) - run.get("renewable_curtailed_mwh", 0.0)
    levelised = (capex - saving) / avoided if avoided > 1e-9 else float("nan")
    return saving - capex, levelised


def best_size(sizes: np.ndarray, benefits: np.ndarray) -> tuple[float, float, str]:
    """The size with the largest net benefit: the vertex of the parabola through the best
    swept size and its two neighbours when it is inside the range (`interpolated`), else the
    best swept size (`swept`)."""
    order = np.argsort(sizes)
    x, y = np.asarray(sizes, float)[order], np.asarray(benefits, float)[order]
    ok = np.isfinite(y)
    x, y = x[ok], y[ok]
    if not len(x):
        return float("nan"), float("nan"), "none"
    i = int(np.argmax(y))
    if 0 < i < len(x) - 1:
        a, b, c = np.polyfit(x[i - 1:i + 2], y[i - 1:i + 2], 2)
        if a < 0:
            vertex = -b / (2 * a)
            return float(vertex), float(np.polyval([a, b, c], vertex)), "interpolated"
    return float(x[i]), float(y[i]), "swept"
