"""AC check: put one hour of a run's dispatch back into the pandapower net and run runpp."""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass

import numpy as np
import pandapower as pp

from .. import outputs
from ..errors import GridmodelError, InputError


def slack_bus_name(net, chosen: str | None = None) -> str:
    """The bus whose external grid balances AC losses: `chosen`, else the network's
    `ac_slack_bus` entry, else its DC reference (ext_grid, or the slack gen's bus)."""
    names = [str(n) for n in net.bus["name"]]
    name = chosen or net.get("ac_slack_bus")
    if not name:
        grids = net.ext_grid[net.ext_grid.in_service.astype(bool)]
        gens = net.gen[net.gen["slack"].fillna(False).astype(bool)] if "slack" in net.gen \
            else net.gen.iloc[:0]
        buses = list(grids.bus) or list(gens.bus)
        if not buses:
            raise InputError("network", "ext_grid", "no slack bus", "--slack-bus NAME")
        name = str(net.bus.at[buses[0], "name"])
    if name not in names:
        raise InputError("--slack-bus", str(name), "no such bus", f"one of {names}")
    return str(name)


@dataclass
class AcResult:
    time: str
    converged: bool
    vm_min_pu: float
    vm_max_pu: float
    max_line_loading_pct: float
    slack_mw: float


def _hour(ds, name, dim, index):
    if name not in ds:
        return {}
    da = ds[name].isel(time=index)
    return dict(zip(da[dim].values.tolist(), da.values.tolist()))


def dispatch_net(net, ds, index: int, slack_bus: str):
    """A copy of `net` with gens, sgens, loads, hydro, storage and ties at hour `index`."""
    ac = copy.deepcopy(net)
    bus_of = {name: i for i, name in ac.bus["name"].items()}
    thermal = _hour(ds, "thermal_p_mw", "thermal", index)
    ac.gen["p_mw"] = [thermal.get(n, 0.0) for n in ac.gen["name"]]
    ac.gen["in_service"] = ac.gen["p_mw"] > 1e-6
    used = _hour(ds, "renewable_used_mw", "renewable", index)
    ac.sgen["p_mw"] = [used.get(n, 0.0) for n in ac.sgen["name"]]
    demand = _hour(ds, "load_demand_mw", "load", index)
    ratio = (ac.load["q_mvar"] / ac.load["p_mw"]).fillna(0.0)
    ac.load["p_mw"] = [demand.get(n, 0.0) for n in ac.load["name"]]
    ac.load["q_mvar"] = ac.load["p_mw"] * ratio
    _add_injections(ac, ds, index)
    if "bus_unserved_mw" in ds:
        for bus, mw in _hour(ds, "bus_unserved_mw", "bus", index).items():
            pp.create_sgen(ac, bus_of[bus], mw, name=f"unserved_{bus}")
    ac.gen["slack"] = False
    ac.ext_grid = ac.ext_grid.iloc[:0]
    pp.create_ext_grid(ac, bus_of[slack_bus], vm_pu=1.0, name="ac_check_slack")
    return ac


INJECTION = {"generation": 1.0, "storage_out": 1.0, "import": 1.0,
             "consumption": -1.0, "storage_in": -1.0, "export": -1.0}


def _add_injections(ac, ds, index):
    """Every declared electricity output of a technology table in the net (hydro, stores,
    ties, electric boilers, waste-to-energy, …) as one sgen per asset at its bus: the output
    registry says which outputs inject and which draw."""
    net_mw: dict[tuple[str, str], float] = {}
    for o in outputs.select(ds, "electricity", tuple(INJECTION)):
        table = next(d for d in ds[o.var].dims if d != "time")
        if not _in_net(ac, table) and f"{table}_bus" not in ds[o.var].coords:
            continue
        for name, mw in _hour(ds, o.var, table, index).items():
            net_mw[(table, name)] = net_mw.get((table, name), 0.0) + INJECTION[o.role] * mw
    bus_index = {name: i for i, name in ac.bus["name"].items()}
    for (table, name), mw in net_mw.items():
        bus = _bus_of(ac, ds, table, name, bus_index)
        if bus is not None and abs(mw) > 1e-6:
            pp.create_sgen(ac, bus, mw, name=f"{table}_{name}")


def _in_net(ac, table: str) -> bool:
    return table in ac and len(ac[table]) > 0 and "bus" in ac[table]


def _bus_of(ac, ds, table: str, name: str, bus_index: dict):
    """The pandapower bus of an asset: its row in the net's table, else (an asset a case
    added) the `<table>_bus` coordinate its outputs carry."""
    if _in_net(ac, table):
        rows = ac[table][ac[table]["name"] == name]
        if len(rows):
            return int(rows.iloc[0]["bus"])
    coord = f"{table}_bus"
    for o in outputs.select(ds, "electricity"):
        if coord in ds[o.var].coords and table in ds[o.var].dims:
            return bus_index.get(str(ds[o.var][coord].sel({table: name}).item()))
    return None


def check_hour(net, ds, index: int, slack_bus: str) -> AcResult:
    ac = dispatch_net(net, ds, index, slack_bus)
    when = str(ds["time"].values[index])[:16]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pp.runpp(ac, numba=False, max_iteration=30)
    except pp.LoadflowNotConverged:
        return AcResult(when, False, np.nan, np.nan, np.nan, np.nan)
    except Exception as exc:  # noqa: BLE001 -- pandapower raises many types on bad nets
        raise GridmodelError(f"AC check at {when} failed: {exc}") from None
    return AcResult(when, True, float(ac.res_bus.vm_pu.min()), float(ac.res_bus.vm_pu.max()),
                    float(ac.res_line.loading_percent.max()), float(ac.res_ext_grid.p_mw.sum()))


def peak_and_windy_night(ds) -> tuple[int, int]:
    """Index of the peak-load hour and of the windiest night hour (22:00–05:00)."""
    load = ds["load_demand_mw"].sum("load").values
    wind = ds["renewable_available_mw"].where(ds["renewable_kind"] == "wind", 0.0).sum(
        "renewable").values
    hour = ds["time"].dt.hour.values
    night = np.where((hour >= 22) | (hour <= 5), wind, -1.0)
    return int(np.argmax(load)), int(np.argmax(night))
