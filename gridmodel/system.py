"""The frozen System: per-technology tables, network matrices and profiles, free of pandapower."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr


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

    def table(self, tech: str) -> pd.DataFrame:
        return self.tables.get(tech, pd.DataFrame())

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


@dataclass(frozen=True)
class TableSpec:
    """Input columns of one technology table: name -> (default, unit). Default None = required."""

    table: str
    columns: dict[str, tuple[object, str]]

    def fill(self, df: pd.DataFrame, where) -> pd.DataFrame:
        """Add defaults for missing columns / missing values; raise on missing required ones."""
        from .errors import NetworkError

        df = df.copy()
        for col, (default, unit) in self.columns.items():
            key = f"{self.table}.{col}"
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
        return df
