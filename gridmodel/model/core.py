"""Time set, balance registry, network and objective assembly.

Technologies register injections (per bus), heat (per zone), reserve and cost terms into the
ModelContext; the core turns them into balances once every technology has been built. All
time-varying data are window parameters (`ctx.param`), compiled once into matrices
(`compile.py`); per window the technologies write numpy arrays into `ctx.set_param` /
`ctx.set_bounds` and read solved values as arrays with `ctx.values`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo

from ..case import ModelOptions, ReserveOptions
from ..system import System
from .carrier import Carrier
from .compile import MatrixModel, Reader, compile_model


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
    flows: dict = field(default_factory=dict)       # carrier -> [Term]
    carriers: dict = field(default_factory=dict)    # name -> Carrier (besides electricity)
    reserve_terms: list = field(default_factory=list)
    costs: dict = field(default_factory=dict)
    penalties: set = field(default_factory=set)     # cost names that are slack penalties
    shared: dict = field(default_factory=dict)      # components one technology provides
    fuel_terms: dict = field(default_factory=dict)
    integer_steps: int | None = None  # integer commitment only in these first steps
    commit_steps: int | None = None   # steps a window keeps (None = all of them)
    params: list = field(default_factory=list)
    window: WindowData | None = None

    @property
    def dt_h(self) -> float:
        return self.system.dt_h

    def steps_in_data(self, start: int) -> int:
        """Steps of the window starting at `start` that lie inside the run's data (the rest
        of the last window's look-ahead repeats the last step and is not time)."""
        return max(0, min(self.n_steps, self.system.n_steps - start))

    @property
    def reserve_active(self) -> bool:
        r = self.reserve
        return (r.spinning_mw > 0 or r.spinning_pct_of_load > 0 or bool(r.spinning_profile)
                or r.spinning_pct_of_wind > 0)

    def add_flow(self, carrier: str, node_of, component, sign=1.0, coef=None):
        """component[asset, t] × sign × coef[asset] flows into `carrier`'s node of the asset."""
        self.flows.setdefault(carrier, []).append(Term(dict(node_of), component, sign, coef))

    def add_power(self, bus_of, component, sign=1.0, coef=None):
        self.add_flow("electricity", bus_of, component, sign, coef)

    def add_heat(self, zone_of, component, sign=1.0, coef=None):
        self.add_flow("heat", zone_of, component, sign, coef)

    def add_carrier(self, carrier: Carrier) -> None:
        """Declare a carrier balanced per node (heat per zone, …); the core builds it."""
        self.carriers[carrier.name] = carrier

    @property
    def heat_zones(self) -> tuple[str, ...]:
        return self.carriers["heat"].nodes if "heat" in self.carriers else ()

    def provide(self, name: str, component) -> None:
        """Share a component with technologies that REQUIRE this one (e.g. 'thermal.on')."""
        self.shared[name] = component

    def use(self, name: str):
        if name not in self.shared:
            raise KeyError(f"no technology provides {name!r} (missing REQUIRES?)")
        return self.shared[name]

    def add_reserve(self, assets, component):
        self.reserve_terms.append((list(assets), component))

    def add_cost(self, name: str, rule, penalty: bool = False):
        """Register a cost component: rule(t) gives its CNY in step t (energy × dt_h).
        `penalty`: a slack penalty (reported apart from the operating cost)."""
        self.costs[name] = rule
        if penalty:
            self.penalties.add(name)

    def add_fuel(self, unit: str, component, key: str, coef: float = 1.0):
        """Add coef × component[key, t] to thermal `unit`'s fuel-equivalent output."""
        self.fuel_terms.setdefault(unit, []).append((component, key, coef))

    def param(self, *index):
        """A window parameter: a Var whose value is set per window (`set_param`) and whose
        column the compiler moves into row bounds and the objective offset."""
        var = pyo.Var(*index, domain=pyo.Reals, initialize=0.0)
        self.params.append(var)
        return var

    def set_param(self, component, values, assets=None) -> None:
        self.window.set_param(component, values, assets)

    def set_bounds(self, var, assets, lower, upper) -> None:
        """Window bounds of decision Var elements (e.g. initial must-on commitment)."""
        self.window.set_bounds(var, assets, lower, upper)

    def set_coef(self, constraint, var, assets, values) -> None:
        """Coefficient of var[a, t] in constraint[a, t] (constraint written as body = rhs)."""
        self.window.set_coef(constraint, var, assets, values)

    def values(self, component, assets=None) -> np.ndarray:
        """Solved values as (asset × t) array, (asset,) or (t,) by the component's index."""
        return self.window.reader.values(component, assets)

    def shadow_value(self, constraint, assets=None) -> np.ndarray:
        """What one more unit of a `≤ constant` constraint's right-hand side would save, per
        hour (CNY per MW and h), from the fixed-commitment LP's duals."""
        return self.window.reader.duals(constraint, assets) * _price_per_dual(self)


class WindowData:
    """One window's numbers, filled by the technologies' `update` hooks and handed to the
    solver as arrays: parameter vector, decision-column bounds, changed coefficients."""

    def __init__(self, mm: MatrixModel, n_steps: int):
        self.mm, self.n = mm, n_steps
        self.reader = Reader(mm, n_steps)
        self.col_lo, self.col_hi = mm.col_lo.copy(), mm.col_hi.copy()
        self.coefs: dict = {}

    @property
    def p(self) -> np.ndarray:
        return self.reader.p

    def _index(self, component, assets, kind: str):
        col, par, _ = self.reader.index(component, assets)
        idx = par if kind == "param" else col
        return idx, idx >= 0

    def set_param(self, component, values, assets=None) -> None:
        idx, ok = self._index(component, assets, "param")
        self.p[idx[ok]] = np.asarray(values, dtype=float).ravel()[ok]

    def set_bounds(self, var, assets, lower, upper) -> None:
        idx, ok = self._index(var, assets, "col")
        self.col_lo[idx[ok]] = np.asarray(lower, dtype=float).ravel()[ok]
        self.col_hi[idx[ok]] = np.asarray(upper, dtype=float).ravel()[ok]

    def set_coef(self, constraint, var, assets, values) -> None:
        keys = self.reader.keys(var, assets)
        values = np.asarray(values, dtype=float).ravel()
        for k, v in zip(keys, values):
            row, col = self.mm.row_of.get(id(constraint[k])), self.mm.col_of.get(id(var[k]))
            if row is not None and col is not None:
                self.coefs[(row, col)] = float(v)

    def row_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        shift = self.mm.A_param @ self.p
        return self.mm.row_lo - shift, self.mm.row_hi - shift

    def objective_offset(self) -> float:
        return self.mm.offset + float(self.mm.c_param @ self.p)


@dataclass
class BuiltModel:
    model: pyo.ConcreteModel
    ctx: ModelContext
    techs: list  # technology modules active in this model
    matrix: MatrixModel | None = None

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
    for term in ctx.flows.get("electricity", []):
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
                 * pyo.quicksum(m.unserved_mw[b, t] for b in m.BUS), penalty=True)
    ctx.add_cost("excess_energy", lambda t: dt * o.excess_energy_penalty_cny_per_mwh
                 * pyo.quicksum(m.excess_mw[b, t] for b in m.BUS), penalty=True)


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
    m.flow_limit = pyo.Constraint(m.BRANCH, m.T, rule=lambda m, br, t: (
        -m.rating_mw[br], m.flow_mw[br, t], m.rating_mw[br]))  # one ranged row each


def _add_carrier_balances(m, ctx):
    """One balance per (carrier, node) for every declared carrier besides electricity:
    Σ registered flows + unserved = 0, unserved penalised."""
    for c in ctx.carriers.values():
        nodes = pyo.Set(initialize=list(c.nodes), ordered=True)
        unserved = pyo.Var(nodes, m.T, domain=pyo.NonNegativeReals)
        terms = ctx.flows.get(c.name, [])
        balance = pyo.Constraint(nodes, m.T, rule=lambda m, n, t, terms=terms, u=unserved:
                                 _node_sum(terms, n, t) + u[n, t] == 0)
        for suffix, component in (("nodes", nodes), ("unserved", unserved),
                                  ("balance", balance)):
            m.add_component(f"{c.name}_{suffix}", component)
        ctx.add_cost(c.cost_name, lambda t, c=c, u=unserved, nodes=nodes: ctx.dt_h
                     * pyo.quicksum(c.penalty_at(n) * u[n, t] for n in nodes), penalty=True)


def _add_reserve(m, ctx):
    if not ctx.reserve_active:
        return
    m.reserve_required_mw = ctx.param(m.T)
    m.reserve_shortfall_mw = pyo.Var(m.T, domain=pyo.NonNegativeReals)

    def reserve_rule(m, t):
        supply = pyo.quicksum(comp[a, t] for assets, comp in ctx.reserve_terms for a in assets)
        return supply + m.reserve_shortfall_mw[t] >= m.reserve_required_mw[t]

    m.spinning_reserve = pyo.Constraint(m.T, rule=reserve_rule)
    ctx.add_cost("reserve_shortfall", lambda t: ctx.dt_h * ctx.options.
                 reserve_shortfall_penalty_cny_per_mwh * m.reserve_shortfall_mw[t], penalty=True)


def reserve_requirement_mw(system: System, reserve: ReserveOptions, start: int, n: int,
                           techs=None):
    """Spinning reserve per step: constant + profile + what each technology asks for (load:
    a share of demand; renewables: a share of available wind, its forecast error) (MW).
    `techs`: the active technologies when the caller has them (a window: the built model's)."""
    req = np.full(n, reserve.spinning_mw)
    for tech in active_techs(system) if techs is None else techs:
        need = tech.reserve_requirement_mw(system, reserve, start, n)
        if need is not None:
            req = req + need
    if reserve.spinning_profile:
        req += system.series(reserve.spinning_profile, start, start + n)
    return req


def active_techs(system: System):
    """The technologies of the system's set (`System.techs`) with rows in it."""
    if not system.techs:
        raise ValueError(f"system {system.name!r} carries no technology set (System.techs)")
    return [tech for tech in system.techs if tech.active(system)]


def build_model(system: System, options: ModelOptions, reserve: ReserveOptions,
                n_steps: int, integer_steps: int | None = None,
                commit_steps: int | None = None) -> BuiltModel:
    """Build the window model once (n_steps long); data are set by `set_window`.
    `integer_steps`: commitment is integer only in the first steps (relaxed look-ahead);
    `commit_steps`: the steps a window keeps (before its look-ahead)."""
    m = pyo.ConcreteModel(name=system.name)
    m.T = pyo.RangeSet(0, n_steps - 1)
    ctx = ModelContext(system, options, reserve, n_steps, integer_steps=integer_steps,
                       commit_steps=commit_steps or n_steps)
    techs = active_techs(system)
    for tech in techs:
        block = pyo.Block()
        setattr(m, block_name(tech), block)
        tech.build(block, ctx)
    for tech in techs:
        tech.finalize(getattr(m, block_name(tech)), ctx)
    _add_electric_balance(m, ctx)
    _add_dc_flows(m, ctx)
    _add_carrier_balances(m, ctx)
    _add_reserve(m, ctx)
    m.COST = pyo.Set(initialize=list(ctx.costs), ordered=True)
    m.cost_cny = pyo.Expression(m.COST, m.T, rule=lambda m, k, t: ctx.costs[k](t))
    m.objective = pyo.Objective(expr=pyo.quicksum(
        time_preference(t, n_steps) * m.cost_cny[k, t] for k in m.COST for t in m.T),
        sense=pyo.minimize)
    matrix = compile_model(m, ctx.params)
    ctx.window = WindowData(matrix, n_steps)
    return BuiltModel(m, ctx, techs, matrix)


def time_preference(t: int, n_steps: int) -> float:
    """Objective weight of step t: 1 − 1e-6·t/n breaks exact ties toward earlier steps (a
    look-ahead past the end of the run repeats the last data and must not attract storage
    use). Costs are reported unweighted."""
    return 1.0 - 1e-6 * t / n_steps


def set_window(built: BuiltModel, start: int, state: dict | None = None) -> None:
    """Point the built model at steps [start, start + n_steps) with carried-over state."""
    m, ctx = built.model, built.ctx
    for tech in built.techs:
        tech.update(built.block(tech), ctx, start, (state or {}).get(tech.NAME))
    if ctx.reserve_active:
        ctx.set_param(m.reserve_required_mw, reserve_requirement_mw(
            ctx.system, ctx.reserve, start, ctx.n_steps, built.techs))


def final_state(built: BuiltModel, steps: int) -> dict:
    """State after the first `steps` steps of the solved window (for the next window)."""
    states = {tech.NAME: tech.final_state(built.block(tech), built.ctx, steps)
              for tech in built.techs}
    return {name: state for name, state in states.items() if state is not None}


def next_window_start(built: BuiltModel, shift: int) -> tuple[np.ndarray, np.ndarray]:
    """Partial MIP start (columns, values) for the window `shift` steps later, from this
    window's solution (technologies with a `warm_start` hook, e.g. thermal commitment)."""
    return _columns(built, "warm_start", shift)


def rounded_commitment(built: BuiltModel, threshold_pu: float):
    """(columns, values) that fix the integer decisions to the rounded and repaired LP
    relaxation (technologies with a `round_commitment` hook)."""
    return _columns(built, "round_commitment", threshold_pu)


def _columns(built: BuiltModel, hook: str, arg) -> tuple[np.ndarray, np.ndarray]:
    cols, values = [np.zeros(0, np.int64)], [np.zeros(0)]
    reader = built.ctx.window.reader
    for tech in built.techs:
        for var, assets, vals in getattr(tech, hook)(built.block(tech), built.ctx, arg):
            col = reader.index(var, assets)[0].reshape(len(assets), -1)[:, :vals.shape[1]]
            ok = col >= 0
            cols.append(col[ok])
            values.append(vals[ok])
    return np.concatenate(cols), np.concatenate(values)


def core_values(built: BuiltModel) -> dict:
    """Solved bus/zone values of the core as (node × t) arrays."""
    m, ctx = built.model, built.ctx
    buses = list(m.BUS)
    out = {name: ctx.values(getattr(m, name), buses)
           for name in ("unserved_mw", "excess_mw", "net_injection_mw")}
    per_unit = _price_per_dual(ctx)  # CNY per MWh from a row dual, per step
    duals = ctx.window.reader.duals
    out["price_cny_per_mwh"] = duals(m.bus_balance, buses) * per_unit
    out["carriers"] = {}
    for c in ctx.carriers.values():
        nodes = list(c.nodes)
        out["carriers"][c.name] = {
            "nodes": nodes, "node_dim": [c.node_dim], "unit": [c.unit],
            "unserved": ctx.values(getattr(m, f"{c.name}_unserved"), nodes),
            # Σ supply − demand + unserved = 0: demand sits on the right-hand side with +
            "price": -duals(getattr(m, f"{c.name}_balance"), nodes) * per_unit}
    if hasattr(m, "spinning_reserve"):
        out["reserve_price_cny_per_mw"] = -duals(m.spinning_reserve) * per_unit
    out["penalty_costs"] = sorted(ctx.penalties)
    if hasattr(m, "reserve_shortfall_mw"):
        out["reserve_shortfall_mw"] = ctx.values(m.reserve_shortfall_mw)
    costs = ctx.values(m.cost_cny, list(m.COST))
    out["cost_cny"] = {k: costs[i] for i, k in enumerate(m.COST)}
    return out


def _price_per_dual(ctx) -> np.ndarray:
    """Row duals are CNY of weighted objective per MW of right-hand side in step t; a price
    is CNY per MWh: divide by dt_h and the step's time-preference weight. Sign: a balance
    row reads injection − Σ flows = 0 with demand on its right-hand side, so +1 MW of demand
    costs −dual."""
    weights = np.array([time_preference(t, ctx.n_steps) for t in range(ctx.n_steps)])
    return -1.0 / (ctx.dt_h * weights)


def extract(built: BuiltModel) -> dict:
    """All technologies' result arrays (time × asset DataArrays)."""
    arrays = {}
    for tech in built.techs:
        found = tech.extract(built.block(tech), built.ctx)
        for output in tech.OUTPUTS:
            if output.var in found:
                output.stamp(found[output.var])
        arrays.update(found)
    return arrays
