"""DC network from pandapower: PTDF and branch ratings, via pandapower's own ppc conversion."""

from __future__ import annotations

import warnings

import numpy as np
import pandapower as pp
import pandas as pd
from pandapower.pypower.idx_brch import SHIFT
from pandapower.pypower.makePTDF import makePTDF

from ..errors import NetworkError
from ..system import Network
from .islands import check_islands


def _ppc_of(net, where):
    """pandapower's internal case of `net` (runs a DC power flow on it: `net` must be the
    caller's private copy, as `io.load_net` returns)."""
    work = net
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pp.rundcpp(work, numba=False)
    except Exception as exc:  # noqa: BLE001 -- pandapower raises many types on bad topology
        raise NetworkError(where, "(topology)", f"DC power flow failed: {exc}",
                           "a connected network with a slack") from None
    return work._ppc, work._pd2ppc_lookups


def _branch_names(net, lookups) -> list[tuple[str, int, int]]:
    """(name, ppc row) for each line / trafo, in ppc order."""
    rows = []
    for table in ("line", "trafo"):
        if table not in lookups["branch"]:
            continue
        start, _ = lookups["branch"][table]
        for pos, idx in enumerate(net[table].index):
            rows.append((f"{table}{idx}", start + pos, idx))
    return rows


def check_topology(net, bus_names: dict[int, str], used: set[str], where) -> None:
    """Finite electrical data, and every bus that carries an asset joined to the slack."""
    check_islands(bus_names, joined_buses(net, bus_names, where), used, where)


def joined_buses(net, bus_names: dict[int, str], where) -> frozenset[str]:
    """Names of the buses a line or transformer joins to the slack (finite data checked)."""
    import networkx as nx  # only here: the topology check of a network parsed afresh
    import pandapower.topology as top

    _check_finite(net, where)
    graph = top.create_nxgraph(net, include_out_of_service=False)
    slack = set(net.ext_grid.bus[net.ext_grid.in_service.astype(bool)])
    if "slack" in net.gen:
        slack |= set(net.gen.bus[net.gen.slack.fillna(False).astype(bool)
                                 & net.gen.in_service.astype(bool)])
    if not slack:
        raise NetworkError(where, "ext_grid", "no in-service slack (ext_grid)",
                           "one ext_grid as the DC reference bus")
    joined = set().union(*(c for c in nx.connected_components(graph) if c & slack))
    return frozenset(name for idx, name in bus_names.items() if idx in joined)


def _check_finite(net, where) -> None:
    checks = (("bus", "vn_kv", True), ("line", "x_ohm_per_km", True),
              ("line", "length_km", True), ("line", "max_i_ka", True),
              ("line", "max_loading_percent", False), ("trafo", "sn_mva", True),
              ("trafo", "vk_percent", True), ("trafo", "max_loading_percent", False))
    for table, column, required in checks:
        df = net[table]
        if column not in df or not len(df):
            continue
        live = df[df["in_service"].astype(bool)] if "in_service" in df else df
        values = pd.to_numeric(live[column], errors="coerce")
        bad = values[(values <= 0) | (values.isna() & required) | np.isinf(values)]
        if len(bad):
            raise NetworkError(where, f"{table}.{column}", f"{table} {list(bad.index)[:5]}: "
                               f"{list(live[column][bad.index])[:5]}", "finite, > 0"
                               + ("" if required else " (or empty = unlimited)"))


def build_network(net, bus_names: dict[int, str], where, used: set[str] = frozenset(),
                  line_rating: str = "thermal") -> Network:
    """PTDF (branch × named bus) and ratings in MW; 0 rating in pandapower = unlimited.
    line_rating "stability_n1": lines get `stability_limit_mw` where it is lower (except
    lines whose `stability_rated` is false)."""
    check_topology(net, bus_names, set(used), where)
    if not len(net.line) and not len(net.trafo) and len(bus_names) == 1:  # one bus: no flows
        return Network(buses=tuple(bus_names.values()), ptdf=pd.DataFrame(
            np.zeros((0, 1)), columns=list(bus_names.values())), rating_mw=pd.Series(
            dtype=float))
    ppc, lookups = _ppc_of(net, where)
    branch = ppc["branch"]
    if np.any(np.abs(branch[:, SHIFT].real) > 1e-9):
        raise NetworkError(where, "trafo.shift_degree", "phase-shifting branches are not "
                           "represented in the DC model", "shift_degree = 0")
    slack = int(np.flatnonzero(ppc["bus"][:, 1] == 3)[0])
    ptdf = makePTDF(ppc["baseMVA"], ppc["bus"].real, branch.real, slack)
    bus_lookup = lookups["bus"]
    cols = {name: ptdf[:, bus_lookup[idx]] for idx, name in bus_names.items()}
    rows = [(name, row) for name, row, idx in _branch_names(net, lookups)
            if net[name.rstrip("0123456789")].at[idx, "in_service"]]
    data = np.array([[cols[b][row] for b in cols] for _, row in rows]).reshape(len(rows), len(cols))
    data[np.abs(data) < 1e-10] = 0.0
    ptdf_df = pd.DataFrame(data, index=[n for n, _ in rows], columns=list(cols))
    rating = pd.Series([_rating_mw(net, name, line_rating) for name, _ in rows],
                       index=ptdf_df.index, dtype=float)
    return Network(buses=tuple(bus_names.values()), ptdf=ptdf_df, rating_mw=rating)


def _rating_mw(net, name: str, line_rating: str = "thermal") -> float:
    """Thermal limit as pandapower's OPF sets it (no max_loading_percent = unlimited),
    lowered to the line's N−1 stability limit when asked."""
    table = name.rstrip("0123456789")
    row = net[table].loc[int(name[len(table):])]
    pct = row.get("max_loading_percent", np.nan)
    thermal = np.inf
    if table == "line":
        vn_kv = net.bus.at[row.from_bus, "vn_kv"]
        if pct is not None and np.isfinite(pct):
            thermal = pct / 100 * row.max_i_ka * row.df * row.parallel * vn_kv * np.sqrt(3)
        if line_rating == "stability_n1" and _stability_rated(row):
            return min(thermal, stability_limit_mw(row, vn_kv, net.f_hz))
        return thermal
    if pct is None or not np.isfinite(pct):
        return np.inf
    return pct / 100 * row.sn_mva * row.df * row.parallel


def _stability_rated(row) -> bool:
    """Line column `stability_rated` (default true): false keeps the thermal rating under
    "stability_n1" (a tie rated at its published transfer capacity)."""
    value = row.get("stability_rated", True)
    return True if value is None or (isinstance(value, float) and np.isnan(value)) else bool(value)


# St. Clair curve: loadability in multiples of the surge impedance load by line length, read
# off the published curve (Dunlop, Gutman, Marchenko, IEEE Trans. PAS-98 (1979) 606–617,
# at 50/100/200/300/400 mi); held flat outside 80–640 km.
ST_CLAIR_KM = (80.0, 160.0, 320.0, 480.0, 640.0)
ST_CLAIR_SIL = (3.0, 2.0, 1.3, 1.0, 0.75)


def stability_limit_mw(row, vn_kv: float, f_hz: float) -> float:
    """N−1 transfer limit of a line: St. Clair loadability × surge impedance load of the
    circuits left after losing one (a single circuit keeps its own loadability)."""
    c_s_per_km = 2 * np.pi * f_hz * row.c_nf_per_km * 1e-9
    if c_s_per_km <= 0:
        return np.inf
    sil_mw = vn_kv ** 2 / np.sqrt(row.x_ohm_per_km / c_s_per_km)
    circuits = max(int(row.parallel) - 1, 1)
    return float(np.interp(row.length_km, ST_CLAIR_KM, ST_CLAIR_SIL)) * sil_mw * circuits
