"""Case → System: read the net and profiles, apply switches and overrides, fill defaults."""

from __future__ import annotations

import dataclasses

import pandas as pd

from ..case import Case, override_key
from ..errors import CaseError, InputError, NetworkError
from ..system import System
from ..timeseries import check_series, load_profiles, select_window
from . import grid_edits
from .islands import check_islands
from .parsed import ParsedNet, parse
from .tables import apply_overrides, apply_switches, finish_tables


def base_tables(case: Case, techs: list, parsed: ParsedNet | None = None) -> dict:
    """The network's technology tables with the case's switches and overrides applied."""
    specs = {tech.SPEC.table: tech.SPEC for tech in techs}
    parsed = parse(case.network) if parsed is None else parsed
    tables = {k: v.copy() for k, v in parsed.tables.items()}
    buses = set(parsed.buses.values())
    tables = add_assets(tables, case, specs, buses)
    tables = apply_switches(tables, case.technologies, case, specs)
    tables = finish_tables(tables, specs, case.network)
    tables = apply_overrides(tables, case.overrides, case, specs)
    _check_override_buses(tables, buses, case)
    return tables


def add_assets(tables: dict, case: Case, specs: dict, buses: set) -> dict:
    """`[assets.<table>.<name>]`: rows the case adds to a technology table (a new plant or
    store), checked like the network's own rows, each error naming the case key."""
    out = dict(tables)
    for table, rows in case.assets.items():
        if table in grid_edits.GRID_TABLES:  # the grid itself: rebuilt with the network
            continue
        key = f"assets.{table}"
        if table not in specs:
            raise CaseError(case.where(key), key, "unknown technology table",
                            f"one of {sorted(specs)}")
        for name, columns in rows.items():
            where, have = case.where(f"{key}.{name}"), out.get(table, pd.DataFrame())
            if name in have.index:
                raise CaseError(where, f"{key}.{name}", "an asset of that name exists",
                                "a new name (change existing assets under [overrides])")
            if "bus" in columns and columns["bus"] not in buses:
                raise CaseError(where, f"{key}.{name}.bus", f"unknown bus {columns['bus']!r}",
                                f"one of {sorted(buses)}")
            row = pd.DataFrame([columns], index=[name])
            missing = [c for c, spec in specs[table].columns.items()
                       if spec[0] is None and c not in columns]
            if missing:
                raise CaseError(where, f"{key}.{name}.{missing[0]}", "missing",
                                specs[table].columns[missing[0]][1])
            filled = specs[table].fill(row, where)
            unknown = sorted(set(columns) - set(specs[table].columns))
            if unknown:
                raise CaseError(where, f"{key}.{name}.{unknown[0]}", "unknown column",
                                f"one of {sorted(specs[table].columns)}")
            specs[table].check(filled, where)
            out[table] = pd.concat([have, row]) if len(have) else row
    return out


def _assigned_in(case: Case, table: str, column: str) -> str:
    """Where a table's column value came from: an override (case file or --set) or the
    network file."""
    found = override_key(case, table, column)
    return found[0] if found else str(case.network)


def _check_override_buses(tables: dict, buses: set, case) -> None:
    """Network buses were checked when read; a bus that is unknown now came from an override."""
    for table, df in tables.items():
        if "bus" not in df:
            continue
        for asset, bus in df["bus"].items():
            if bus not in buses:
                key = f"overrides.{table}.{asset}.bus"
                raise CaseError(case.where(key), key, f"unknown bus {bus!r}",
                                f"one of {sorted(buses)}")


def prepared_tables(case: Case, techs: list, parsed: ParsedNet | None = None) -> dict:
    """The tables a run solves: switches, overrides, then each technology's `prepare`."""
    return _prepare(base_tables(case, techs, parsed), techs, case)


def _prepare(tables: dict, techs: list, case: Case) -> dict:
    for tech in techs:
        if tech.NAME in tables:
            try:
                tables = tech.prepare(tables, case.network, case)
            except NetworkError as exc:
                raise _from_case(exc, case) from None
    return tables


def _from_case(exc: NetworkError, case: Case) -> InputError:
    """A check of a row the case added (`[assets.<table>.<name>]`) names the case's key."""
    table, _, rest = exc.key.partition(".")
    asset, _, column = rest.partition(".")
    if column and asset in case.assets.get(table, {}):
        key = f"assets.{table}.{asset}.{column}"
        return CaseError(case.where(key), key, exc.problem, exc.expected)
    return exc


def system_from_case(case: Case, techs: list) -> System:
    """`techs`: the technology modules (their SPEC and optional prepare hooks)."""
    parsed = parse(case.network)
    tables = base_tables(case, techs, parsed)
    defaults = {t: df.attrs.get("defaults_applied", []) for t, df in tables.items()}
    tables = _prepare(tables, techs, case)
    profiles = load_profiles(case.profiles) if case.profiles else None
    window, times, dt_h = select_window(profiles, case)
    check_series(tables, window, lambda table, column: _assigned_in(case, table, column))
    if case.reserve.spinning_profile:
        check_series({"reserve": _reserve_table(case)}, window,
                     lambda *_: case.where("reserve.spinning_profile"))
    used = {b for df in tables.values() if "bus" in df for b in df["bus"]}
    network, line_names = _network(case, parsed, used)
    network = line_overrides(network, line_names, case)
    system = System(name=case.name, network=network, tables=tables, profiles=window,
                    time=times, dt_h=dt_h, extras={"defaults_applied": {
                        t: d for t, d in defaults.items() if d}}, techs=tuple(techs))
    system.extras["warnings"] = adequacy_warnings(system, techs)
    return system


def adequacy_warnings(system: System, techs: list) -> list[str]:
    """Nodes whose peak demand is above what the technologies can always supply there (e.g.
    a heat zone scaled up without its boilers): the run serves the rest as penalised
    unserved energy, so the case is said to be short before it runs, never silently."""
    peak, firm = {}, {}
    for tech in techs:
        if not tech.active(system):
            continue
        for target, found in ((peak, tech.peak_demand(system)), (firm, tech.firm_capacity(system))):
            for carrier, series in found.items():
                target[carrier] = target.get(carrier, 0.0) + series.astype(float) if \
                    carrier in target else series.astype(float)
    out = []
    for carrier, demand in peak.items():
        have = firm.get(carrier, demand * 0.0).reindex(demand.index, fill_value=0.0)
        for node in demand.index[demand > have + 1e-6]:
            out.append(f"{carrier} at {node}: peak demand {demand[node]:,.0f} above the firm "
                       f"capacity {have[node]:,.0f} (MW); the rest will be unserved: add or "
                       "scale the supply with the demand")
    return out


def _network(case: Case, parsed: ParsedNet, used: set):
    """(DC network, line names): the cached one, or rebuilt when the case edits the grid."""
    where = case.network
    if not grid_edits.needs_rebuild(case):
        check_islands(parsed.buses, parsed.joined, used, where)
        return parsed.network(case.model.line_rating, where), parsed.line_names
    from .dc import build_network  # pandapower: the case changes the grid
    from .io import load_net

    net = grid_edits.edited_net(load_net(where), case, parsed.line_names)
    names = {str(n): f"line{i}" for i, n in net.line["name"].items() if n}
    return build_network(net, parsed.buses, where, used, case.model.line_rating), names


def line_overrides(network, line_names: dict, case):
    """`[overrides.line.<name>] rating_mw = X`: a line's DC rating in MW (a reinforced
    corridor), the line named as in the network (`baicheng-songyuan`) or by its branch
    (`line3`)."""
    lines = case.overrides.get("line", {})
    if not lines:
        return network
    names = line_names
    rating = network.rating_mw.copy()
    for asset, columns in lines.items():
        key = f"overrides.line.{asset}"
        columns = {c: v for c, v in columns.items() if c not in grid_edits.REBUILD_COLUMNS}
        if not columns:
            continue  # circuits or service only: applied to the net before the PTDF
        branch = names.get(asset, asset)
        if branch not in rating.index:
            raise CaseError(case.where(key), key, "unknown line",
                            f"one of {sorted(names) or sorted(rating.index)}")
        for column, value in columns.items():
            if column != "rating_mw":
                raise CaseError(case.where(f"{key}.{column}"), f"{key}.{column}",
                                "unknown column", "rating_mw (MW), parallel (circuits) or "
                                "in_service (true/false)")
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not 0 <= value < float("inf"):
                raise CaseError(case.where(f"{key}.{column}"), f"{key}.{column}", repr(value),
                                "MW ≥ 0")
            rating[branch] = float(value)
    return dataclasses.replace(network, rating_mw=rating)


def _reserve_table(case):
    return pd.DataFrame({"spinning_profile": [case.reserve.spinning_profile]}, index=["system"])
