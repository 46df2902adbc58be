"""Energy balance of a store, shared by battery, pumped hydro, hydro reservoirs and heat storage.

soc[t] = soc[t-1]·(1 - loss_per_h)^dt_h + (eta_in·in[t] - out[t]/eta_out + inflow[t])·dt_h
with soc[-1] a mutable Param (initial or carried-over state) and, when `cyclic`, the content
where the run's data end ≥ the run's initial content (soft: a shortfall costs
`model.store_end_shortfall_penalty_cny_per_mwh`).

Steps of a window past the end of the data (the last window's look-ahead repeats the last
hour) are not time: a store neither charges, discharges nor receives inflow there, so its
content at the window's last step is its content at the end of the data times the standing
loss of those steps — the end condition, written at the window's last step, binds where the
data end.
"""

from __future__ import annotations

import numpy as np

from ...causes import AT_LIMIT_TOL_MW, SINK, Cause, Role
from ...outputs import Output
from ...system import TableSpec
from ._pyomo import pyo
from ._util import check_refs, data_array, result
from .base import Technology


def build_store(b, ctx, table, power: str, energy: str, inflow: bool = False,
                name: str = "store") -> None:
    """Declare in_<power>, out_<power>, soc_<energy> and their constraints on block b.

    Table columns: e_max_<energy>, p_in_max_<power>, p_out_max_<power>, eta_in_pu,
    eta_out_pu, loss_per_h, initial_soc_pu, cyclic.
    """
    T, dt = b.model().T, ctx.dt_h
    names = list(table.index)
    b.STORES = pyo.Set(initialize=names, ordered=True)
    col = table.to_dict()
    b.init_soc = ctx.param(b.STORES)
    b.inflow = ctx.param(b.STORES, T)
    ins = pyo.Var(b.STORES, T, bounds=lambda b, s, t: (0, col[f"p_in_max_{power}"][s]))
    outs = pyo.Var(b.STORES, T, bounds=lambda b, s, t: (0, col[f"p_out_max_{power}"][s]))
    soc = pyo.Var(b.STORES, T, bounds=lambda b, s, t: (
        col.get(f"e_min_{energy}", {}).get(s, 0.0), col[f"e_max_{energy}"][s]))
    b.add_component(f"in_{power}", ins)
    b.add_component(f"out_{power}", outs)
    b.add_component(f"soc_{energy}", soc)
    keep = {s: (1 - col["loss_per_h"][s]) ** dt for s in names}

    def balance(b, s, t):
        prev = b.init_soc[s] if t == 0 else soc[s, t - 1]
        flow = col["eta_in_pu"][s] * ins[s, t] - outs[s, t] / col["eta_out_pu"][s]
        return soc[s, t] == keep[s] * prev + dt * (flow + (b.inflow[s, t] if inflow else 0))

    b.soc_balance = pyo.Constraint(b.STORES, T, rule=balance)
    last = ctx.n_steps - 1
    cyclic = [s for s in names if bool(col["cyclic"][s])]
    b.cyclic_target = ctx.param(b.STORES)
    b.end_shortfall = pyo.Var(cyclic, domain=pyo.NonNegativeReals)  # MWh (or MWh_th)
    b.soc_cyclic = pyo.Constraint(cyclic, rule=lambda b, s: soc[s, last] + b.end_shortfall[s]
                                  >= b.cyclic_target[s])
    penalty = ctx.options.store_end_shortfall_penalty_cny_per_mwh
    ctx.add_cost(f"{name}_end_shortfall", lambda t: penalty * pyo.quicksum(
        b.end_shortfall[s] for s in cyclic) if t == last else 0.0, penalty=True)
    b.store_names = (power, energy)
    b.store_bounds = {f"in_{power}": col[f"p_in_max_{power}"],
                      f"out_{power}": col[f"p_out_max_{power}"]}


def set_initial(b, ctx, table, energy: str, state: dict | None, start: int) -> None:
    """Initial content (from the table or carried over). The cyclic condition (content where
    the data end ≥ the run's initial content) binds in the window that reaches the end of the
    data; with `cyclic_each_window` every other window ends ≥ its own start. Returns the
    window's steps inside the data and the content targeted where the window (or the data)
    ends."""
    inside = ctx.steps_in_data(start)
    reaches_end = start + ctx.n_steps >= ctx.system.n_steps
    stores = list(b.STORES)
    each = table["cyclic_each_window"].loc[stores].to_numpy(bool) \
        if "cyclic_each_window" in table else np.zeros(len(stores), bool)
    first = (table["initial_soc_pu"] * table[f"e_max_{energy}"]).loc[stores].to_numpy(float)
    init = first if state is None else np.array([state[s] for s in stores], dtype=float)
    ctx.set_param(b.init_soc, init, stores)
    target = first if reaches_end else np.where(each, init, 0.0)
    ctx.set_param(b.cyclic_target, target * decay(table, stores, ctx, inside), stores)
    _freeze_past_data(b, ctx, stores, inside)
    return inside, target


def decay(table, stores, ctx, inside: int, at: int | None = None) -> np.ndarray:
    """What is left at step `at` (default: the window's last) of each store's content at the
    end of the data, after the standing loss of the steps past it (1 inside the data)."""
    at = ctx.n_steps - 1 if at is None else at
    phantom = max(0, at - (inside - 1))
    loss = table["loss_per_h"].loc[stores].to_numpy(float)
    return (1.0 - loss) ** (ctx.dt_h * phantom)


def _freeze_past_data(b, ctx, stores, inside: int) -> None:
    """No charging or discharging in steps past the end of the data."""
    live = np.arange(ctx.n_steps) < inside
    for var, cap in b.store_bounds.items():
        hi = np.array([cap[s] for s in stores], dtype=float)[:, None] * live[None, :]
        ctx.set_bounds(getattr(b, var), stores, np.zeros_like(hi), hi)


def final_state(b, ctx, k: int) -> dict:
    energy = b.store_names[1]
    stores = list(b.STORES)
    soc = ctx.values(getattr(b, f"soc_{energy}"), stores)
    return {s: float(soc[i, k - 1]) for i, s in enumerate(stores)}


def extract_store(b, ctx, prefix: str, labels=("charge", "discharge")) -> dict:
    """`<prefix>_<charge>_<power>`, `<prefix>_<discharge>_<power>`, `<prefix>_soc_<energy>`."""
    power, energy = b.store_names
    stores = list(b.STORES)
    parts = ((labels[0], f"in_{power}", power), (labels[1], f"out_{power}", power),
             ("soc", f"soc_{energy}", energy))
    out = {}
    for label, var, unit in parts:
        name = f"{prefix}_{label}_{unit}"
        out[name] = data_array(name, ctx.values(getattr(b, var), stores), prefix, stores)
    return out


STORE_COLUMNS = {
    "loss_per_h": (0.0, "share of content lost per hour (1/h)"),
    "initial_soc_pu": (0.5, "pu of capacity"),
    "cyclic": (True, "end-of-window content >= start"),
}


def store_scaled(power: str, energy: str) -> tuple:
    """The columns `scale = k` multiplies on a store: its energy and power capacities."""
    return (f"e_max_{energy}", f"p_in_max_{power}", f"p_out_max_{power}")


def store_spec_columns(power: str, energy: str, eta_in: float, eta_out: float) -> dict:
    return {f"e_max_{energy}": (None, energy.replace("_", " ")),
            f"p_in_max_{power}": (None, power), f"p_out_max_{power}": (None, power),
            "eta_in_pu": (eta_in, "pu"), "eta_out_pu": (eta_out, "pu"), **STORE_COLUMNS}


class ElectricStore(Technology):
    """A technology object for a store at a bus (battery, pumped hydro): same interface as a
    technology module."""

    CAUSES = (Cause("storage_full", "electric stores full or charging at their maximum"),)

    def __init__(self, name: str, eta_in: float, eta_out: float, labels=("charge", "discharge")):
        self.NAME, self.labels = name, labels
        self.SPEC = TableSpec(name, {"bus": (None, "bus name"),
                                     **store_spec_columns("mw", "mwh", eta_in, eta_out)},
                              scaled=store_scaled("mw", "mwh"))
        title = name.replace("_", " ").capitalize()
        self.OUTPUTS = (
            Output(f"{name}_{labels[0]}_mw", "electricity", "storage_in",
                   f"{name}_{labels[0]}_mwh", f"{title} {labels[0]}"),
            Output(f"{name}_{labels[1]}_mw", "electricity", "storage_out",
                   f"{name}_{labels[1]}_mwh", f"{title} {labels[1]}"),
            Output(f"{name}_soc_mwh", "electricity", "level", "", f"{title} content"))

    def active(self, system) -> bool:
        return len(system.table(self.NAME)) > 0

    def build(self, b, ctx) -> None:
        table = ctx.system.table(self.NAME)
        build_store(b, ctx, table, "mw", "mwh", name=self.NAME)
        ctx.add_power(table["bus"].to_dict(), b.out_mw)
        ctx.add_power(table["bus"].to_dict(), b.in_mw, sign=-1.0)

    def update(self, b, ctx, start, state) -> None:
        set_initial(b, ctx, ctx.system.table(self.NAME), "mwh", state, start)

    def final_state(self, b, ctx, k):
        return final_state(b, ctx, k)

    def extract(self, b, ctx) -> dict:
        return extract_store(b, ctx, self.NAME, self.labels)

    def curtailment_roles(self, ds, system) -> list:
        """A store charging at its maximum or full is a sink at its limit (`storage_full`),
        weighted by its charging capacity."""
        table = system.table(self.NAME)
        p_in = table["p_in_max_mw"].to_numpy()[:, None]
        charge = result(ds, f"{self.NAME}_{self.labels[0]}_mw", table.index)
        soc = result(ds, f"{self.NAME}_soc_mwh", table.index)
        stuck = (charge >= p_in - AT_LIMIT_TOL_MW) | (
            soc >= table["e_max_mwh"].to_numpy()[:, None] - AT_LIMIT_TOL_MW)
        return [Role("storage_full", SINK, np.where(stuck, p_in, 0.0).sum(axis=0))]


class NodeStore(Technology):
    """A store at a node of a carrier other than electricity (heat storage in a zone, a
    hydrogen buffer at a hub): the store balance, charge and discharge registered into the
    carrier's balance at the node its `node_column` names."""

    def __init__(self, name: str, carrier: str, node_column: str, node_table: str,
                 power: str, energy: str, title: str, colour: str = "", nodes: str = ""):
        self.NAME, self.carrier, self.node_column = name, carrier, node_column
        self.nodes = nodes or f"{node_table} rows"  # what the nodes are called in errors
        self.node_table, self.power, self.energy = node_table, power, energy
        self.REQUIRES = (node_table,)
        self.SPEC = TableSpec(name, {node_column: (None, f"{self.nodes[:-1]} name", str),
                                     **store_spec_columns(power, energy, 1.0, 1.0)},
                              scaled=store_scaled(power, energy))
        self.OUTPUTS = (
            Output(f"{name}_charge_{power}", carrier, "storage_in", f"{name}_charge_mwh",
                   f"{title} charge", colour),
            Output(f"{name}_discharge_{power}", carrier, "storage_out",
                   f"{name}_discharge_mwh", title, colour),
            Output(f"{name}_soc_{energy}", carrier, "level", "", f"{title} content"))

    def prepare(self, tables, where, case):
        nodes = tables[self.node_table].index if self.node_table in tables else []
        check_refs(tables[self.NAME], self.node_column, nodes, self.nodes, self.NAME, where)
        return tables

    def build(self, b, ctx) -> None:
        table = ctx.system.table(self.NAME)
        build_store(b, ctx, table, self.power, self.energy, name=self.NAME)
        node = table[self.node_column].to_dict()
        ctx.add_flow(self.carrier, node, getattr(b, f"out_{self.power}"))
        ctx.add_flow(self.carrier, node, getattr(b, f"in_{self.power}"), sign=-1.0)

    def update(self, b, ctx, start, state) -> None:
        set_initial(b, ctx, ctx.system.table(self.NAME), self.energy, state, start)

    def final_state(self, b, ctx, k):
        return final_state(b, ctx, k)

    def extract(self, b, ctx) -> dict:
        return extract_store(b, ctx, self.NAME)
