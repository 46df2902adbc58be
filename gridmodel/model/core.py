"""Time set, balance registry, network and objective assembly.

Technologies register injections (per bus), heat (per zone), reserve and cost terms into the
ModelContext; the core turns them into balances once every technology has been built. All
time-varying data are mutable Params so one built model can be re-used across windows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo

from ..case import ModelOptions, ReserveOptions
from ..system import System
from .techs import TECHNOLOGIES


@dataclass
class Term:
    """One registered component: component[asset, t] × sign × coef[asset] at node[asset]."""

    node_of: dict
    component: object
    sign: float = 1.0
    coef: dict | None = None


@dataclass
class ModelContext:
    system: System
    options: ModelOptions
    reserve: ReserveOptions
    n_steps: int
    power: list[Term] = field(default_factory=list)
    heat: list[Term] = field(default_factory=list)
    reserve_terms: list = field(default_factory=list)
    costs: dict = field(default_factory=dict)
    heat_zones: tuple[str, ...] = ()
    fuel_terms: dict = field(default_factory=dict)
    integer_steps: int | None = None  # integer commitment only in these first steps

    @property
    def dt_h(self) -> float:
        return self.system.dt_h

    @property
    def reserve_active(self) -> bool:
        r = self.reserve
        return r.spinning_mw > 0 or r.spinning_pct_of_load > 0 or bool(r.spinning_profile)

    def add_power(self, bus_of, component, sign=1.0, coef=None):
        self.power.append(Term(dict(bus_of), component, sign, coef))

    def add_heat(self, zone_of, component, sign=1.0, coef=None):
        self.heat.append(Term(dict(zone_of), component, sign, coef))

    def add_reserve(self, assets, component):
        self.reserve_terms.append((list(assets), component))

    def add_cost(self, name: str, rule):
        """Register a cost component: rule(t) gives its CNY in step t (energy × dt_h)."""
        self.costs[name] = rule

    def add_fuel(self, unit: str, component, key: str, coef: float = 1.0):
        """Add coef × component[key, t] to thermal `unit`'s fuel-equivalent output."""
        self.fuel_terms.setdefault(unit, []).append((component, key, coef))


@dataclass
class BuiltModel:
    model: pyo.ConcreteModel
    ctx: ModelContext
    techs: list  # technology modules active in this model

    def block(self, tech):
        return getattr(self.model, block_name(tech))


def block_name(tech) -> str:
    """Pyomo block of a technology (suffixed: names like 'load' are reserved by Pyomo)."""
    return f"{tech.NAME}_block"


def _node_sum(terms: list[Term], node, t):
    parts = []
    for term in terms:
        for asset, n in term.node_of.items():
            if n == node:
                c = term.sign * (term.coef[asset] if term.coef else 1.0)
                parts.append(c * term.component[asset, t])
    return pyo.quicksum(parts) if parts else 0.0


def _add_electric_balance(m, ctx):
    buses = list(ctx.system.network.buses)
    m.BUS = pyo.Set(initialize=buses, ordered=True)
    m.unserved_mw = pyo.Var(m.BUS, m.T, domain=pyo.NonNegativeReals)
    m.excess_mw = pyo.Var(m.BUS, m.T, domain=pyo.NonNegativeReals)
    m.net_injection_mw = pyo.Var(m.BUS, m.T, domain=pyo.Reals)
    by_bus = {b: [] for b in buses}
    for term in ctx.power:
        for asset, bus in term.node_of.items():
            by_bus[bus].append((term, asset))

    def bus_balance(m, b, t):
        parts = [term.sign * (term.coef[a] if term.coef else 1.0) * term.component[a, t]
                 for term, a in by_bus[b]]
        return m.net_injection_mw[b, t] == pyo.quicksum(parts) \
            + m.unserved_mw[b, t] - m.excess_mw[b, t]

    m.bus_balance = pyo.Constraint(m.BUS, m.T, rule=bus_balance)
    m.system_balance = pyo.Constraint(
        m.T, rule=lambda m, t: pyo.quicksum(m.net_injection_mw[b, t] for b in m.BUS) == 0)
    dt, o = ctx.dt_h, ctx.options
    ctx.add_cost("unserved_energy", lambda t: dt * o.value_of_lost_load_cny_per_mwh
                 * pyo.quicksum(m.unserved_mw[b, t] for b in m.BUS))
    ctx.add_cost("excess_energy", lambda t: dt * o.excess_energy_penalty_cny_per_mwh
                 * pyo.quicksum(m.excess_mw[b, t] for b in m.BUS))


def _add_dc_flows(m, ctx):
    net = ctx.system.network
    limited = net.limited_branches
    if ctx.options.network != "dc" or not limited:
        return
    m.BRANCH = pyo.Set(initialize=limited, ordered=True)
    m.rating_mw = pyo.Param(m.BRANCH, initialize=net.rating_mw[limited].to_dict())
    ptdf = {br: {b: v for b, v in net.ptdf.loc[br].items() if v != 0.0} for br in limited}

    def flow(m, br, t):
        return pyo.quicksum(v * m.net_injection_mw[b, t] for b, v in ptdf[br].items())

    m.flow_mw = pyo.Expression(m.BRANCH, m.T, rule=flow)
    m.flow_limit_forward = pyo.Constraint(
        m.BRANCH, m.T, rule=lambda m, br, t: m.flow_mw[br, t] <= m.rating_mw[br])
    m.flow_limit_backward = pyo.Constraint(
        m.BRANCH, m.T, rule=lambda m, br, t: -m.flow_mw[br, t] <= m.rating_mw[br])


def _add_heat_balance(m, ctx):
    if not ctx.heat_zones:
        return
    m.HEAT_ZONE = pyo.Set(initialize=list(ctx.heat_zones), ordered=True)
    m.unserved_heat_mw_th = pyo.Var(m.HEAT_ZONE, m.T, domain=pyo.NonNegativeReals)
    m.heat_balance = pyo.Constraint(m.HEAT_ZONE, m.T, rule=lambda m, z, t: _node_sum(
        ctx.heat, z, t) + m.unserved_heat_mw_th[z, t] == 0)
    ctx.add_cost("unserved_heat", lambda t: ctx.dt_h * ctx.options.
                 unserved_heat_penalty_cny_per_mwh_th
                 * pyo.quicksum(m.unserved_heat_mw_th[z, t] for z in m.HEAT_ZONE))


def _add_reserve(m, ctx):
    if not ctx.reserve_active:
        return
    m.reserve_required_mw = pyo.Param(m.T, mutable=True, initialize=0.0)
    m.reserve_shortfall_mw = pyo.Var(m.T, domain=pyo.NonNegativeReals)

    def reserve_rule(m, t):
        supply = pyo.quicksum(comp[a, t] for assets, comp in ctx.reserve_terms for a in assets)
        return supply + m.reserve_shortfall_mw[t] >= m.reserve_required_mw[t]

    m.spinning_reserve = pyo.Constraint(m.T, rule=reserve_rule)
    ctx.add_cost("reserve_shortfall", lambda t: ctx.dt_h * ctx.options.
                 reserve_shortfall_penalty_cny_per_mwh * m.reserve_shortfall_mw[t])


def reserve_requirement_mw(system: System, reserve: ReserveOptions, start: int, n: int):
    """Spinning reserve per step: constant + share of load + profile (MW)."""
    req = np.full(n, reserve.spinning_mw)
    if reserve.spinning_pct_of_load:
        loads = system.table("load")
        total = np.zeros(n)
        for name, row in loads.iterrows():
            total += row.p_mw * _profile(system, row.get("profile", ""), start, n)
        req += reserve.spinning_pct_of_load / 100.0 * total
    if reserve.spinning_profile:
        req += system.series(reserve.spinning_profile, start, start + n)
    return req


def _profile(system, name, start, n):
    return system.series(name, start, start + n) if name else np.ones(n)


def active_techs(system: System):
    return [tech for tech in TECHNOLOGIES if tech.active(system)]


def build_model(system: System, options: ModelOptions, reserve: ReserveOptions,
                n_steps: int, integer_steps: int | None = None) -> BuiltModel:
    """Build the window model once (n_steps long); data are set by `set_window`.
    `integer_steps`: commitment is integer only in the first steps (relaxed look-ahead)."""
    m = pyo.ConcreteModel(name=system.name)
    m.T = pyo.RangeSet(0, n_steps - 1)
    ctx = ModelContext(system, options, reserve, n_steps, integer_steps=integer_steps)
    techs = active_techs(system)
    for tech in techs:
        block = pyo.Block()
        setattr(m, block_name(tech), block)
        tech.build(block, ctx)
    for tech in techs:
        if hasattr(tech, "finalize"):
            tech.finalize(getattr(m, block_name(tech)), ctx)
    _add_electric_balance(m, ctx)
    _add_dc_flows(m, ctx)
    _add_heat_balance(m, ctx)
    _add_reserve(m, ctx)
    m.COST = pyo.Set(initialize=list(ctx.costs), ordered=True)
    m.cost_cny = pyo.Expression(m.COST, m.T, rule=lambda m, k, t: ctx.costs[k](t))
    m.objective = pyo.Objective(expr=pyo.quicksum(m.cost_cny[k, t] for k in m.COST
                                                  for t in m.T), sense=pyo.minimize)
    return BuiltModel(m, ctx, techs)


def set_window(built: BuiltModel, start: int, state: dict | None = None) -> None:
    """Point the built model at steps [start, start + n_steps) with carried-over state."""
    m, ctx = built.model, built.ctx
    for tech in built.techs:
        tech.update(built.block(tech), ctx, start, (state or {}).get(tech.NAME))
    if ctx.reserve_active:
        req = reserve_requirement_mw(ctx.system, ctx.reserve, start, ctx.n_steps)
        for t in m.T:
            m.reserve_required_mw[t] = float(req[t])


def final_state(built: BuiltModel, steps: int) -> dict:
    """State after the first `steps` steps of the solved window (for the next window)."""
    return {tech.NAME: tech.final_state(built.block(tech), built.ctx, steps)
            for tech in built.techs if hasattr(tech, "final_state")}


def next_window_start(built: BuiltModel, shift: int) -> list:
    """Partial MIP start for the window `shift` steps later, from this window's solution
    (technologies with a `warm_start` hook, e.g. thermal commitment)."""
    pairs = []
    for tech in built.techs:
        if hasattr(tech, "warm_start"):
            pairs.extend(tech.warm_start(built.block(tech), built.ctx, shift))
    return pairs


def core_values(built: BuiltModel) -> dict:
    """Solved bus/zone values of the core as (node × t) arrays."""
    m, n = built.model, built.ctx.n_steps

    def grab(var, nodes):
        return np.array([[pyo.value(var[k, t]) for t in range(n)] for k in nodes]).reshape(
            len(nodes), n)

    buses = list(m.BUS)
    out = {name: grab(getattr(m, name), buses)
           for name in ("unserved_mw", "excess_mw", "net_injection_mw")}
    if hasattr(m, "HEAT_ZONE"):
        out["heat_zones"] = list(m.HEAT_ZONE)
        out["unserved_heat_mw_th"] = grab(m.unserved_heat_mw_th, out["heat_zones"])
    if hasattr(m, "reserve_shortfall_mw"):
        out["reserve_shortfall_mw"] = np.array([pyo.value(m.reserve_shortfall_mw[t])
                                                for t in range(n)])
    out["cost_cny"] = {k: np.array([pyo.value(m.cost_cny[k, t]) for t in range(n)])
                       for k in m.COST}
    return out


def extract(built: BuiltModel) -> dict:
    """All technologies' result arrays (time × asset DataArrays)."""
    arrays = {}
    for tech in built.techs:
        arrays.update(tech.extract(built.block(tech), built.ctx))
    return arrays
