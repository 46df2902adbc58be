"""The frozen System: per-technology tables, network matrices and profiles, free of pandapower."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from .errors import InputError, NetworkError


@dataclass(frozen=True)
class Network:
    """DC network view: PTDF (branch × bus, MW per MW) and branch ratings (inf = unlimited)."""

    buses: tuple[str, ...]
    ptdf: pd.DataFrame
    rating_mw: pd.Series

    @property
    def limited_branches(self) -> list[str]:
        return [b for b, r in self.rating_mw.items() if np.isfinite(r)]


@dataclass(frozen=True)
class System:
    """Everything the model builder needs. Tables are indexed by asset name.

    `profiles` holds per-unit (or MW / degC, as its attrs say) series over the full `time`
    axis; technologies pick their series by name from their table's `profile` columns.
    """

    name: str
    network: Network
    tables: dict[str, pd.DataFrame]
    profiles: xr.Dataset
    time: pd.DatetimeIndex
    dt_h: float
    extras: dict = field(default_factory=dict)
    techs: tuple = ()   # the technology set, ordered, unique names (build_order)

    def table(self, tech: str) -> pd.DataFrame:
        table = self.tables.get(tech)
        return pd.DataFrame() if table is None else table

    def series(self, name: str, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Values of one profile series over steps [start, stop); steps past the end of the
        horizon (a rolling window's look-ahead) repeat the last value."""
        values = self.profiles[name].values
        stop = len(values) if stop is None else stop
        idx = np.minimum(np.arange(start, stop), len(values) - 1)
        return values[idx]

    @property
    def n_steps(self) -> int:
        return len(self.time)


TEXT_COLUMNS = ("bus", "zone", "unit", "kind", "mode")
# explicit ranges where the name's unit suffix alone would be wrong: column -> (low, high)
RANGES = {
    "n_units": (1, 1000), "initial_on": (0.0, 1.0),
    "c_b_pu": (0.05, 5.0), "bypass_fuel_per_heat_pu": (0.0, 5.0),
    "cop_at_0c_pu": (0.5, 10.0), "cop_min_pu": (0.5, 10.0), "cop_per_c": (0.0, 1.0),
    "efficiency_pu": (0.01, 1.0), "eta_in_pu": (0.01, 1.0), "eta_out_pu": (0.01, 1.0),
}
# unit part of a column name -> (low, high); the first match wins (money before "_per_h")
UNIT_RANGES = (("_cny", (0.0, 1e10)), ("_t_per_", (0.0, 10.0)), ("_mw_per_h", (0.0, 1e6)),
               ("loss_per_h", (0.0, 1.0)), ("_pu", (0.0, 1.0)), ("_mw2h", (0.0, 1e6)),
               ("_mw", (0.0, 1e6)), ("_mw_th", (0.0, 1e6)), ("_mwh", (0.0, 1e9)),
               ("_mwh_th", (0.0, 1e9)), ("_h", (0.0, 1e5)), ("_pct", (0.0, 100.0)))


@dataclass(frozen=True)
class Rule:
    """Type and range of one table column (unit from its name and spec text)."""

    kind: str  # number | integer | bool | text
    low: float = -np.inf
    high: float = np.inf
    allow_inf: bool = False
    allow_nan: bool = False
    choices: tuple = ()  # a text column's accepted words (empty: any text)
    nonempty: bool = False  # a label that must be given (no empty text)

    def problem(self, value) -> str | None:
        """Why `value` is not acceptable (None when it is)."""
        if self.choices:
            return None if value in self.choices else f"{value!r} is not accepted"
        if self.kind == "text":  # names, labels, or point lists (pwl_points ...)
            if self.nonempty and (not isinstance(value, str) or not value.strip()):
                return f"{value!r} is not a name"
            return None if isinstance(value, (str, list, tuple)) else f"{value!r} is not text"
        if self.kind == "bool":
            return None if isinstance(value, (bool, np.bool_)) else f"{value!r} is not true/false"
        if isinstance(value, (bool, np.bool_, str)) or not isinstance(value, (int, float,
                                                                              np.number)):
            return f"{value!r} is not a number"
        value = float(value)
        if np.isnan(value):
            return None if self.allow_nan else "NaN"
        if np.isinf(value):
            return None if self.allow_inf and value > 0 else f"{value}"
        if self.kind == "integer" and not value.is_integer():
            return f"{value:g} is not a whole number"
        if not self.low <= value <= self.high:
            return f"{value:g} outside [{self.low:g}, {self.high:g}]"
        return None

    def expected(self, unit: str) -> str:
        if self.choices:
            return " | ".join(self.choices)
        if self.kind in ("text", "bool"):
            return f"{self.kind} ({unit})"
        extra = " or inf" if self.allow_inf else ""
        return f"{self.kind} in [{self.low:g}, {self.high:g}]{extra} {unit}"


def rule_for(column: str, default, span: tuple | None = None) -> Rule:
    """`span`: the (low, high) a spec gives its column (`str`: a required text column; a
    tuple of words: the text values accepted), else RANGES, else the unit part of its name."""
    if isinstance(span, tuple) and all(isinstance(w, str) for w in span):
        return Rule("text", choices=span)
    if span is str:
        return Rule("text", nonempty=True)
    if column in TEXT_COLUMNS or isinstance(default, str):
        return Rule("text")
    if isinstance(default, bool):
        return Rule("bool")
    low, high = span or RANGES.get(column) or next(
        (r for part, r in UNIT_RANGES if part in column and (
            part.startswith(("_cny", "_t_per_")) or column.endswith(part))), (0.0, 1e9))
    is_inf = isinstance(default, float) and np.isinf(default)
    is_nan = isinstance(default, float) and np.isnan(default)
    kind = "integer" if column == "n_units" else "number"
    return Rule(kind, low, high, allow_inf=is_inf, allow_nan=is_nan)


@dataclass(frozen=True)
class TableSpec:
    """Input columns of one technology table: name -> (default, unit[, (low, high) | str]).
    Default None = required. Every column's type and range come from `rule_for` (the
    spec's own (low, high), else RANGES, else its name's unit part); `ordered` pairs must
    satisfy first <= second in every row."""

    table: str
    columns: dict[str, tuple[object, str]]
    ordered: tuple[tuple[str, str], ...] = ()
    scaled: tuple[str, ...] = ()  # columns an override `scale = k` multiplies (capacity, demand)

    def rule(self, column: str) -> Rule | None:
        if column not in self.columns:
            return None
        spec = self.columns[column]
        return rule_for(column, spec[0], spec[2] if len(spec) > 2 else None)

    def check_value(self, column: str, value, where, key: str) -> None:
        """One value (e.g. a case override) against its column's rule."""

        rule = self.rule(column)
        problem = rule.problem(value) if rule else None
        if problem:
            raise InputError(where, key, problem, rule.expected(self.columns[column][1]))

    def check(self, df: pd.DataFrame, where) -> None:
        """Every value of every spec column, then the ordered pairs."""

        for column in self.columns:
            rule = self.rule(column)
            for asset, value in df[column].items():
                problem = rule.problem(value)
                if problem:
                    raise NetworkError(where, f"{self.table}.{asset}.{column}", problem,
                                       rule.expected(self.columns[column][1]))
        for low, high in self.ordered:
            bad = df.index[df[low] > df[high]]
            if len(bad):
                raise NetworkError(where, f"{self.table}.{bad[0]}.{low}", f"{df.at[bad[0], low]:g}"
                                   f" > {high} {df.at[bad[0], high]:g}", f"{low} <= {high}")

    def fill(self, df: pd.DataFrame, where) -> pd.DataFrame:
        """Add defaults for missing columns / missing values; raise on missing required ones."""

        df = df.copy()
        applied = []
        for col, (default, unit, *_) in self.columns.items():
            key = f"{self.table}.{col}"
            if default is not None:
                gaps = list(df.index) if col not in df.columns else list(
                    df.index[df[col].isna()])
                if gaps and not (isinstance(default, float) and np.isnan(default)):
                    applied.append({"column": col, "default": default if not isinstance(
                        default, float) or np.isfinite(default) else str(default),
                        "unit": unit, "assets": "all" if len(gaps) == len(df) else
                        [str(a) for a in gaps]})
            if col not in df.columns:
                if default is None:
                    raise NetworkError(where, key, "column missing", unit)
                df[col] = [default] * len(df)
            elif default is None:
                if df[col].isna().any():
                    raise NetworkError(where, key, f"missing for {list(df.index[df[col].isna()])}",
                                       unit)
            elif isinstance(default, bool):
                df[col] = df[col].astype(object).where(df[col].notna(), default).astype(bool)
            elif isinstance(default, (int, float)):
                try:
                    df[col] = pd.to_numeric(df[col].astype(object).where(df[col].notna(), default))
                except (TypeError, ValueError):
                    raise NetworkError(where, key, "not a number", unit) from None
            else:
                df[col] = df[col].astype(object).where(df[col].notna(), default)
        df.attrs["defaults_applied"] = applied
        return df
