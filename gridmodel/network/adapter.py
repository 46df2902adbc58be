"""Adapter: pandapower net (+ extra technology tables) → System tables. Signs translated here."""

from __future__ import annotations

import numpy as np
import pandapower as pp
import pandas as pd

from ..errors import CaseError, NetworkError
from ..system import TableSpec

# pandapower tables that we read; any other non-empty element table is an error.
READ_TABLES = {"bus", "line", "trafo", "gen", "ext_grid", "sgen", "load", "shunt", "poly_cost",
               "pwl_cost", "storage"}
_EMPTY = pp.create_empty_network()
STANDARD_TABLES = {k for k, v in _EMPTY.items() if isinstance(v, pd.DataFrame)}
# standard element tables with an in_service column that the model does not represent
ELEMENT_TABLES = {k for k in STANDARD_TABLES if "in_service" in _EMPTY[k].columns} - READ_TABLES - {"controller"}
RENEWABLE_TYPES = {"wind": "wind", "wp": "wind", "solar": "solar", "pv": "solar"}


def bus_names(net) -> dict[int, str]:
    """In-service bus index -> unique name (the bus name where unique, else 'bus<idx>')."""
    live = net.bus[net.bus.in_service]
    names = live["name"]
    if names.notna().all() and names.is_unique:
        return {int(i): str(n) for i, n in names.items()}
    return {int(i): f"bus{i}" for i in live.index}


def check_representable(net, where) -> None:
    bad = [t for t in ELEMENT_TABLES if t in net and len(net[t]) and _any_live(net[t])]
    if bad:
        raise NetworkError(where, ", ".join(sorted(bad)), "element tables the model cannot "
                           "represent are in service", "no such elements (or in_service=False)")
    for table in ("load",):
        if "controllable" in net[table] and net[table]["controllable"].fillna(False).any():
            idx = list(net[table].index[net[table]["controllable"].fillna(False).astype(bool)])
            raise NetworkError(where, f"{table}.controllable", f"controllable loads {idx}",
                               "controllable = False")


def _any_live(df) -> bool:
    return bool(df["in_service"].any()) if "in_service" in df else True


def _unique_names(df, prefix: str, where=None) -> list[str]:
    """Asset names: the elements' names; `<prefix><index>` for a table that names none of
    them (a case118-style net). A name given twice is an error, never a silent renaming."""
    names = df["name"] if "name" in df else pd.Series(None, index=df.index)
    repeated = names[names.notna() & names.duplicated()]
    if len(repeated):
        raise NetworkError(where or "network", f"{prefix}.name", f"{repeated.iloc[0]!r} "
                           "names two elements", "unique names")
    if names.notna().all() and len(df):
        return [str(n) for n in names]
    return [f"{prefix}{i}" for i in df.index]


def _live(df):
    return df[df["in_service"].astype(bool)] if "in_service" in df and len(df) else df


def _bus_of(df, buses: dict[int, str], where, table: str) -> pd.Series:
    missing = sorted(set(df["bus"]) - set(buses))
    if missing:
        raise NetworkError(where, f"{table}.bus", f"unknown or out-of-service buses {missing}",
                           "an in-service bus index")
    return df["bus"].map(buses)


def _costs(net, et: str, idx, where) -> dict:
    """Polynomial or piecewise cost of one element (CNY; pandapower's 'eur' read as CNY)."""
    poly = net.poly_cost[(net.poly_cost.et == et) & (net.poly_cost.element == idx)]
    pwl = net.pwl_cost[(net.pwl_cost.et == et) & (net.pwl_cost.element == idx)]
    if len(poly) + len(pwl) > 1:
        raise NetworkError(where, f"poly_cost/pwl_cost[{et} {idx}]", "more than one cost row",
                           "one cost per element")
    if len(pwl):
        return {"pwl_points": list(pwl.iloc[0]["points"])}
    if len(poly):
        row = poly.iloc[0]
        return {"cost_c0_cny_per_h": row.cp0_eur, "cost_c1_cny_per_mwh": row.cp1_eur_per_mw,
                "cost_c2_cny_per_mw2h": row.cp2_eur_per_mw2}
    return {}


def _thermal(net, buses, where) -> pd.DataFrame:
    frames = []
    for et, prefix in (("gen", "gen"), ("ext_grid", "ext_grid")):
        df = _live(net[et]).copy()
        if not len(df):
            continue
        df.index = pd.Index(_unique_names(df, prefix, where))
        df["bus"] = _bus_of(df, buses, where, et)
        df["element"], df["et"] = _live(net[et]).index, et
        df["p_max_mw"] = df.get("max_p_mw", np.nan)
        df["p_min_mw"] = df.get("min_p_mw", 0.0)
        if df["p_max_mw"].isna().any():
            raise NetworkError(where, f"{et}.max_p_mw", f"missing for {list(df.index)}", "MW")
        if et == "gen" and "controllable" in df:
            fixed = ~df["controllable"].fillna(True).astype(bool)
            df.loc[fixed, "p_min_mw"] = df.loc[fixed, "p_mw"]
            df.loc[fixed, "p_max_mw"] = df.loc[fixed, "p_mw"]
        cost = [_costs(net, et, e, where) for e in df["element"]]
        frames.append(pd.concat([df, pd.DataFrame(cost, index=df.index)], axis=1))
    return pd.concat(frames) if frames else pd.DataFrame()


def _renewables(net, buses, where) -> pd.DataFrame:
    df = _live(net.sgen).copy()
    if not len(df):
        return pd.DataFrame()
    kinds = df["type"].astype(str).str.lower().map(RENEWABLE_TYPES)
    if kinds.isna().any():
        bad = list(df.index[kinds.isna()])
        raise NetworkError(where, "sgen.type", f"sgens {bad} are neither wind nor solar",
                           "type 'wind'/'WP' or 'solar'/'PV'")
    df.index = pd.Index(_unique_names(df, "sgen", where))
    df["kind"] = kinds.values
    df["bus"] = _bus_of(df, buses, where, "sgen")
    pmax = df["max_p_mw"] if "max_p_mw" in df else df["p_mw"]
    df["p_max_mw"] = pmax.fillna(df["p_mw"]) * df["scaling"]
    return df


def _loads(net, buses, where) -> pd.DataFrame:
    df = _live(net.load).copy()
    df.index = pd.Index(_unique_names(df, "load", where))
    df["bus"] = _bus_of(df, buses, where, "load")
    df["p_mw"] = df["p_mw"] * df["scaling"]
    shunt = _live(net.shunt)
    shunt = shunt[shunt["p_mw"] != 0]
    if len(shunt):
        sh = pd.DataFrame({"bus": _bus_of(shunt, buses, where, "shunt").values,
                           "p_mw": (shunt["p_mw"] * shunt["step"]).values},
                          index=[f"shunt{i}" for i in shunt.index])
        df = pd.concat([df, sh])
    return df


def _batteries(net, buses, where) -> pd.DataFrame:
    """pandapower storage → battery table (power limits from max/min_p_mw or p_mw)."""
    df = _live(net.storage).copy()
    if not len(df):
        return pd.DataFrame()
    df.index = pd.Index(_unique_names(df, "storage", where))
    df["bus"] = _bus_of(df, buses, where, "storage")
    p = df["p_mw"].abs()
    df["p_in_max_mw"] = df["max_p_mw"].fillna(p) if "max_p_mw" in df else p
    df["p_out_max_mw"] = (-df["min_p_mw"]).fillna(p) if "min_p_mw" in df else p
    df["e_max_mwh"] = df["max_e_mwh"]
    return df


def _extra_table(net, table, buses, where) -> pd.DataFrame:
    if table not in net or not isinstance(net[table], pd.DataFrame) or not len(net[table]):
        return pd.DataFrame()
    df = _live(net[table]).copy()
    if "name" not in df or df["name"].isna().any() or not df["name"].is_unique:
        raise NetworkError(where, f"{table}.name", "names missing or repeated", "unique names")
    df.index = pd.Index(df["name"].astype(str))
    if "bus" in df:
        df["bus"] = _bus_of(df, buses, where, table)
    return df


def raw_tables(net, where) -> dict[str, pd.DataFrame]:
    """All technology tables of the net, keyed by technology, indexed by asset name."""
    check_representable(net, where)
    buses = bus_names(net)
    tables = {"thermal": _thermal(net, buses, where), "renewable": _renewables(net, buses, where),
              "load": _loads(net, buses, where), "battery": _batteries(net, buses, where)}
    extra = [k for k, v in net.items() if isinstance(v, pd.DataFrame)
             and k not in STANDARD_TABLES and not k.startswith(("res_", "_"))]
    for table in extra:
        df = _extra_table(net, table, buses, where)
        if len(df):
            tables[table] = df
    return tables


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
