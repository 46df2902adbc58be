"""The case's changes to the technology tables (switches, overrides, scale, retirements) and
the defaults that finish them: pandas only, no pandapower (`validate` on a cached network
imports none)."""

from __future__ import annotations

import pandas as pd

from ..errors import CaseError, NetworkError
from ..system import TableSpec


def apply_switches(tables: dict, switches: dict[str, bool], case, specs) -> dict:
    """`[technologies]` switches: any known technology (absent from this network = trivially
    off) or wind/solar; a misspelt name is an error."""
    known = set(specs) | {"wind", "solar"}
    out = dict(tables)
    for tech, enabled in switches.items():
        if tech not in known:
            raise CaseError(case.where(f"technologies.{tech}"), f"technologies.{tech}",
                            "unknown technology", f"one of {sorted(known)}")
        if enabled or tech not in out and tech not in ("wind", "solar"):
            continue
        if tech in ("wind", "solar") and "renewable" in out:
            out["renewable"] = out["renewable"][out["renewable"]["kind"] != tech]
        else:
            out[tech] = pd.DataFrame()
    return out


NETWORK_OVERRIDES = ("line",)  # overrides of the grid itself, not of a technology table


def apply_overrides(tables: dict, overrides: dict, case, specs) -> dict:
    """Case overrides (table.asset.column = value), each checked against its column's rule;
    errors name the file (or --set) that gave the value."""
    out = {k: v.copy() for k, v in tables.items()}
    for table, assets in overrides.items():
        if table in NETWORK_OVERRIDES:  # branches: applied to the DC network (loader)
            continue
        where = case.where(f"overrides.{table}")
        if table not in out or not len(out[table]):
            raise CaseError(where, f"overrides.{table}", "no such technology table in the "
                            f"network (have {sorted(k for k in out if len(out[k]))})", "a table")
        df = out[table]
        for asset, columns in assets.items():
            rows = df.index if asset == "*" else [
                resolve_asset(df, table, asset, case.where(f"overrides.{table}.{asset}"))]
            # retiring comes last: the asset's other values apply to it while it exists
            for col, value in sorted(columns.items(), key=lambda kv: kv[0] == "in_service"):
                key = f"overrides.{table}.{asset}.{col}"
                if col in PSEUDO_COLUMNS:
                    df = PSEUDO_COLUMNS[col](df, rows, value, specs.get(table), case, key,
                                             specs)
                    continue
                if col not in df.columns:
                    raise CaseError(case.where(key), key, "unknown column",
                                    f"one of {sorted(map(str, df.columns))}")
                if table in specs:
                    specs[table].check_value(col, value, case.where(key), key)
                if df[col].dtype != object:
                    df[col] = df[col].astype(float if isinstance(value, float) else df[col].dtype)
                df.loc[rows, col] = value
        if table in specs:
            specs[table].check(df, where)
        out[table] = df
    return out


def _scale(df, rows, value, spec, case, key, specs):
    """`scale = k`: multiply the table's capacity/demand columns (future years)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
        raise CaseError(case.where(key), key, f"{value!r}", "a factor in [0, 100]")
    if spec is None or not spec.scaled:
        tables = sorted(t for t, s in specs.items() if s.scaled)
        raise CaseError(case.where(key), key, "this table has nothing to scale",
                        f"scale on one of {', '.join(tables)}")
    for col in spec.scaled:
        df[col] = df[col].astype(float)
        df.loc[rows, col] = df.loc[rows, col] * float(value)
    return df


def _in_service(df, rows, value, spec, case, key, specs):
    """`in_service = false`: retire the rows (tables that refer to them must drop them too)."""
    if not isinstance(value, bool):
        raise CaseError(case.where(key), key, f"{value!r}", "true or false")
    return df if value else df.drop(index=rows)


PSEUDO_COLUMNS = {"scale": _scale, "in_service": _in_service}


def resolve_asset(df, table: str, asset: str, case_file) -> str:
    """An asset by its name, by `<table>_<asset>`, or by a unique `_`-separated word of its
    name (`electric_boiler.baicheng` → electric_boiler_baicheng, `pumped_hydro.dunhua` →
    dunhua_pumped)."""
    names = [str(n) for n in df.index]
    if asset in names:
        return asset
    if f"{table}_{asset}" in names:
        return f"{table}_{asset}"
    words = [n for n in names if asset in n.split("_")]
    if len(words) == 1:
        return words[0]
    problem = f"ambiguous asset (matches {words})" if words else "unknown asset"
    raise CaseError(case_file, f"overrides.{table}.{asset}", problem,
                    f"one of {names[:12]}{' …' if len(names) > 12 else ''}")


def finish_tables(tables: dict, specs: dict[str, TableSpec], where) -> dict:
    """Fill defaults from each technology's spec; unknown non-empty tables are errors."""
    unknown = [t for t, df in tables.items() if len(df) and t not in specs]
    if unknown:
        raise NetworkError(where, ", ".join(unknown), "tables of no known technology",
                           f"one of {sorted(specs)}")
    out = {t: specs[t].fill(df, where) for t, df in tables.items() if len(df)}
    for table, df in out.items():
        specs[table].check(df, where)
    return out
