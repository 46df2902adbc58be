"""Adapter: pandapower net (+ extra technology tables) → System tables. Signs translated here."""

from __future__ import annotations

import numpy as np
import pandapower as pp
import pandas as pd

from ..errors import NetworkError

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

