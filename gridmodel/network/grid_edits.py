"""Changes of the grid itself that a case makes: a new line (`[assets.line.<name>]`), more or
fewer circuits on a corridor or a line out of service (`[overrides.line.<name>] parallel`,
`in_service`). The DC network (PTDF and ratings) is rebuilt from the edited pandapower net;
a line's rating alone (`rating_mw`) needs no rebuild (`loader.line_overrides`).

A new line takes its electrical data per km from a line of the network (`like`, the same
conductor and voltage) or from its own columns, and its length; a reinforcement planned by
year (the 500 kV "两横两纵双环" corridors) is one such table per year case.
"""

from __future__ import annotations

import math

from ..errors import CaseError

GRID_TABLES = ("line",)                        # `[assets.<table>]` of the grid, not a technology
REBUILD_COLUMNS = ("parallel", "in_service")   # overrides.line columns that change the PTDF
PER_KM = ("r_ohm_per_km", "x_ohm_per_km", "c_nf_per_km")
NEW_LINE = {  # column -> (default, expected)
    "from_bus": (None, "a bus name"), "to_bus": (None, "a bus name"),
    "length_km": (None, "km > 0"), "like": ("", "a line of the network to copy per-km data from"),
    "r_ohm_per_km": (None, "ohm/km ≥ 0"), "x_ohm_per_km": (None, "ohm/km > 0"),
    "c_nf_per_km": (None, "nF/km ≥ 0"), "max_i_ka": (None, "kA > 0"),
    "parallel": (1, "circuits (a whole number ≥ 1)"),
    "max_loading_percent": (100.0, "% > 0"), "stability_rated": (True, "true / false"),
}


def needs_rebuild(case) -> bool:
    lines = case.overrides.get("line", {})
    return bool(case.assets.get("line")) or any(
        c in REBUILD_COLUMNS for columns in lines.values() for c in columns)


def edited_net(net, case, line_names: dict):
    """The pandapower net with the case's new lines and circuit changes (net: a copy)."""
    import pandapower as pp  # only for a case that edits the grid

    buses = {str(n): i for i, n in net.bus["name"].items()}
    for asset, columns in case.overrides.get("line", {}).items():
        row = _line_index(net, line_names, asset, case)
        for column in REBUILD_COLUMNS:
            if column in columns:
                net.line.loc[row, column] = _checked(case, f"overrides.line.{asset}.{column}",
                                                     column, columns[column])
    for name, columns in case.assets.get("line", {}).items():
        values = _new_line(case, name, columns, net, line_names, buses)
        pp.create_line_from_parameters(
            net, buses[values["from_bus"]], buses[values["to_bus"]], values["length_km"],
            values["r_ohm_per_km"], values["x_ohm_per_km"], values["c_nf_per_km"],
            values["max_i_ka"], name=name, parallel=values["parallel"],
            max_loading_percent=values["max_loading_percent"])
        net.line.loc[net.line.index[-1], "stability_rated"] = values["stability_rated"]
    return net


def _line_index(net, line_names: dict, asset: str, case, key: str = "") -> int:
    branch = line_names.get(asset, asset)
    key = key or f"overrides.line.{asset}"
    if not branch.startswith("line") or not branch[4:].isdigit() or int(branch[4:]) not in \
            net.line.index:
        raise CaseError(case.where(key), key, "unknown line",
                        f"one of {sorted(line_names) or sorted(net.line.index)}")
    return int(branch[4:])


def _new_line(case, name: str, columns: dict, net, line_names: dict, buses: dict) -> dict:
    key = f"assets.line.{name}"
    where = case.where(key)
    unknown = sorted(set(columns) - set(NEW_LINE))
    if unknown:
        raise CaseError(where, f"{key}.{unknown[0]}", "unknown column", f"one of {sorted(NEW_LINE)}")
    if name in line_names:
        raise CaseError(where, key, "a line of that name exists",
                        "a new name (change existing lines under [overrides.line])")
    values = {c: columns.get(c, default) for c, (default, _) in NEW_LINE.items()}
    if values["like"]:
        row = net.line.loc[_line_index(net, line_names, str(values["like"]), case,
                                       f"{key}.like")]
        for column in PER_KM + ("max_i_ka", "parallel", "max_loading_percent"):
            if column not in columns:
                values[column] = row[column].item() if hasattr(row[column], "item") else row[column]
    for column, value in values.items():
        if column != "like":
            values[column] = _checked(case, f"{key}.{column}", column, value, buses)
    if values["from_bus"] == values["to_bus"]:
        raise CaseError(where, f"{key}.to_bus", repr(values["to_bus"]), "another bus than from_bus")
    return values


def _checked(case, key: str, column: str, value, buses: dict | None = None):
    """One value of a line column, or a CaseError naming the key and the expected unit."""
    expected = NEW_LINE[column][1] if column in NEW_LINE else "true / false"
    where = case.where(key)
    if column in ("from_bus", "to_bus"):
        if value is None:
            raise CaseError(where, key, "missing", f"one of {sorted(buses or {})}")
        if not isinstance(value, str) or value not in (buses or {}):
            raise CaseError(where, key, repr(value), f"one of {sorted(buses or {})}")
        return value
    if column in ("in_service", "stability_rated"):
        if not isinstance(value, bool):
            raise CaseError(where, key, repr(value), "true / false")
        return value
    if value is None:
        raise CaseError(where, key, "missing", f"{expected} (or `like` = a network line)")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise CaseError(where, key, repr(value), expected)
    if column == "parallel":
        if int(value) != value or value < 1:
            raise CaseError(where, key, repr(value), expected)
        return int(value)
    strict = column in ("length_km", "x_ohm_per_km", "max_i_ka", "max_loading_percent")
    if value < 0 or (strict and value == 0):
        raise CaseError(where, key, repr(value), expected)
    return float(value)
