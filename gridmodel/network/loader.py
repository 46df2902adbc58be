"""Case → System: read the net and profiles, apply switches and overrides, fill defaults."""

from __future__ import annotations

from ..case import Case
from ..system import System
from ..timeseries import check_series, load_profiles, select_window
from . import adapter
from .dc import build_network
from .io import load_net


def system_from_case(case: Case, techs: list) -> System:
    """`techs`: the technology modules (their SPEC and optional prepare hooks)."""
    specs = {tech.SPEC.table: tech.SPEC for tech in techs}
    net = load_net(case.network)
    where = case.network
    tables = adapter.raw_tables(net, where)
    tables = adapter.apply_switches(tables, case.technologies, case.source)
    tables = adapter.finish_tables(tables, specs, where)
    tables = adapter.apply_overrides(tables, case.overrides, case.source)
    for tech in techs:
        if hasattr(tech, "prepare") and tech.NAME in tables:
            tables = tech.prepare(tables, where, case)
    profiles = load_profiles(case.profiles) if case.profiles else None
    window, times, dt_h = select_window(profiles, case)
    check_series(tables, window, case.profiles or case.source)
    if case.reserve.spinning_profile:
        check_series({"reserve": _reserve_table(case)}, window, case.profiles or case.source)
    network = build_network(net, adapter.bus_names(net), where)
    return System(name=case.name, network=network, tables=tables, profiles=window,
                  time=times, dt_h=dt_h)


def _reserve_table(case):
    import pandas as pd

    return pd.DataFrame({"spinning_profile": [case.reserve.spinning_profile]}, index=["system"])
