"""Case → System: read the net and profiles, apply switches and overrides, fill defaults."""

from __future__ import annotations

from ..case import Case
from ..system import System
from ..timeseries import check_series, load_profiles, select_window
from . import adapter
from .dc import build_network
from .io import load_net


def base_tables(case: Case, techs: list, net=None) -> dict:
    """The network's technology tables with the case's switches and overrides applied."""
    specs = {tech.SPEC.table: tech.SPEC for tech in techs}
    net = load_net(case.network) if net is None else net
    tables = adapter.raw_tables(net, case.network)
    tables = adapter.apply_switches(tables, case.technologies, case, specs)
    tables = adapter.finish_tables(tables, specs, case.network)
    return adapter.apply_overrides(tables, case.overrides, case, specs)


def system_from_case(case: Case, techs: list) -> System:
    """`techs`: the technology modules (their SPEC and optional prepare hooks)."""
    net = load_net(case.network)
    where = case.network
    tables = base_tables(case, techs, net)
    for tech in techs:
        if hasattr(tech, "prepare") and tech.NAME in tables:
            tables = tech.prepare(tables, where, case)
    profiles = load_profiles(case.profiles) if case.profiles else None
    window, times, dt_h = select_window(profiles, case)
    check_series(tables, window, case.profiles or case.source)
    if case.reserve.spinning_profile:
        check_series({"reserve": _reserve_table(case)}, window, case.profiles or case.source)
    used = {b for df in tables.values() if "bus" in df for b in df["bus"]}
    network = build_network(net, adapter.bus_names(net), where, used)
    return System(name=case.name, network=network, tables=tables, profiles=window,
                  time=times, dt_h=dt_h)


def _reserve_table(case):
    import pandas as pd

    return pd.DataFrame({"spinning_profile": [case.reserve.spinning_profile]}, index=["system"])
