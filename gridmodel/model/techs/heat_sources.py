"""Heat-only sources feeding a zone: coal/gas heat-only boilers, electric boilers, heat pumps."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...causes import CONVERSION_LIMIT, at_limit
from ...outputs import Output
from ...system import TableSpec
from . import heat_zone
from ._pyomo import pyo
from ._util import bus_map, check_refs, data_array, result
from .base import Technology

SHARE_PERIODS = ("hour", "day", "month", "season")


def _zones_of(tables):
    return tables["heat_zone"].index if "heat_zone" in tables else []


class HeatBoiler(Technology):
    """Heat-only boiler: heat ≤ h_max; cost, coal and CO2 per MWh_th (efficiency folded in)."""

    NAME = "heat_boiler"
    REQUIRES = ("heat_zone",)
    SPEC = TableSpec(NAME, {
        "zone": (None, "heat zone name"),
        "h_max_mw_th": (None, "MW_th"),
        "cost_cny_per_mwh_th": (None, "CNY/MWh_th (fuel price / efficiency)"),
        "coal_t_per_mwh_th": (0.0, "t standard coal/MWh_th"),
        "co2_t_per_mwh_th": (0.0, "t CO2/MWh_th"),
        "peak_only": (False, ("true/false: serves only the zone's heat demand above its CHP "
                              "heat capacity (以热定电: CHP units carry the base heat load)")),
        "demand_share_max_pu": (1.0, ("pu: each hour the boiler serves at most this share of "
                                      "the zone's heat demand, or the demand above its CHP "
                                      "heat capacity where that is more (size share of the "
                                      "zone's limited boilers; S22: CHP > 70 % of winter "
                                      "heat → 0.3); 1 = no limit")),
        "share_excess_penalty_cny_per_mwh_th": (500.0, (
            "CNY/MWh_th for boiler heat above that share (soft: worth it only where CHP heat "
            "would otherwise force excess power, not to make room for wind)")),
        "share_period": ("hour", (
            "hour | day | month | season: what the share holds over. Longer periods bank the "
            "allowance unused in an hour for later hours of the same period (S22's share is "
            "seasonal); a season runs from 1 July to 1 July"), SHARE_PERIODS),
    }, scaled=("h_max_mw_th",))
    OUTPUTS = (
        Output("heat_boiler_heat_mw_th", "heat", "generation", "heat_boiler_mwh",
               "Heat-only boilers", "#ff7f0e"),
        Output("heat_boiler_coal_t", "coal", "quantity", "coal_t", "Standard coal"),
        Output("heat_boiler_co2_t", "co2", "quantity", "co2_t", "CO2"),
    )

    def active(self, system):
        return len(system.table(self.NAME)) > 0

    def prepare(self, tables, where, case):
        check_refs(tables[self.NAME], "zone", _zones_of(tables), "heat zones", self.NAME, where)
        return tables

    def firm_capacity(self, system) -> dict:
        table = system.table(self.NAME)
        return {"heat": table["h_max_mw_th"].groupby(table["zone"]).sum()}

    def build(self, b, ctx):
        table = ctx.system.table(self.NAME)
        T = b.model().T
        hmax = table["h_max_mw_th"].to_dict()
        b.UNITS = pyo.Set(initialize=list(table.index), ordered=True)
        b.heat_mw_th = pyo.Var(b.UNITS, T, bounds=lambda b, u, t: (0, hmax[u]))
        ctx.add_heat(table["zone"].to_dict(), b.heat_mw_th)
        b.limits = BoilerLimits(ctx.system)  # static: computed once, used every window
        b.SHARED = pyo.Set(initialize=b.limits.shared.units, ordered=True)
        b.share_allowance_mw_th = ctx.param(b.SHARED, T)
        b.share_excess_mw_th = pyo.Var(b.SHARED, T, domain=pyo.NonNegativeReals)
        b.HOURLY = pyo.Set(initialize=b.limits.hourly, ordered=True)
        b.share_limit = pyo.Constraint(b.HOURLY, T, rule=lambda b, u, t: b.heat_mw_th[u, t]
                                       - b.share_excess_mw_th[u, t]
                                       <= b.share_allowance_mw_th[u, t])
        _build_share_bank(b, ctx, T)
        penalty = table["share_excess_penalty_cny_per_mwh_th"].to_dict()
        ctx.add_cost("heat_boiler_share_excess", lambda t: ctx.dt_h * pyo.quicksum(
            penalty[u] * b.share_excess_mw_th[u, t] for u in b.SHARED), penalty=True)
        cost = table["cost_cny_per_mwh_th"].to_dict()
        ctx.add_cost(self.NAME, lambda t: ctx.dt_h * pyo.quicksum(
            cost[u] * b.heat_mw_th[u, t] for u in b.UNITS))

    def update(self, b, ctx, start, state):
        """Peak-only boilers: upper bound (zone demand − CHP heat capacity)⁺; shared boilers
        (demand_share_max_pu < 1): a soft limit max(share × demand, that residual). Both per
        hour, split among the zone's boilers of the kind by size."""
        limits = b.limits
        if not limits.peak.units and not limits.shared.units:
            return
        demand = heat_zone.demand_mw_th(ctx.system, start, ctx.n_steps)
        residual = np.maximum(demand - limits.chp_capacity_mw_th[:, None], 0.0)
        if limits.peak.units:
            upper = limits.peak.allowance_mw_th(demand, residual)
            ctx.set_bounds(b.heat_mw_th, limits.peak.units, np.zeros_like(upper), upper)
        if limits.shared.units:
            ctx.set_param(b.share_allowance_mw_th,
                          limits.shared.allowance_mw_th(demand, residual), limits.shared.units)
        if limits.banked:
            _update_share_bank(b, ctx, start, state)

    def final_state(self, b, ctx, steps):
        """Allowance banked (MWh_th) by each banked boiler after the committed steps."""
        banked = list(b.BANKED)
        if not banked:
            return None
        return dict(zip(banked, ctx.values(b.bank_mwh_th, banked)[:, steps - 1].tolist()))

    def emissions(self, b, ctx) -> list:
        """CO2 of the boilers' heat (t per MWh_th)."""
        table = ctx.system.table(self.NAME)
        return [(b.heat_mw_th, table["co2_t_per_mwh_th"].to_dict(), list(b.UNITS))]

    def extract(self, b, ctx):
        table, units = ctx.system.table(self.NAME), list(b.UNITS)
        heat = ctx.values(b.heat_mw_th, units)
        dt = ctx.dt_h
        return {k: data_array(k, v, self.NAME, units) for k, v in {
            "heat_boiler_heat_mw_th": heat,
            "heat_boiler_coal_t": heat * dt * table["coal_t_per_mwh_th"].to_numpy()[:, None],
            "heat_boiler_co2_t": heat * dt * table["co2_t_per_mwh_th"].to_numpy()[:, None],
        }.items()}


class LimitedRows:
    """Boiler rows under one kind of limit: their zone (row of the heat_zone table), share
    of the zone's demand, and size split among the zone's rows of the kind."""

    def __init__(self, rows: pd.DataFrame, zones: list, share: np.ndarray):
        self.units = list(rows.index)
        self.zone_row = np.array([zones.index(z) for z in rows["zone"]], dtype=int)
        self.share = np.asarray(share, dtype=float)
        self.size_mw_th = rows["h_max_mw_th"].to_numpy(float)
        zone_size = rows.groupby("zone")["h_max_mw_th"].transform("sum").to_numpy(float)
        self.split = self.size_mw_th / zone_size if len(rows) else self.size_mw_th

    def allowance_mw_th(self, demand: np.ndarray, residual: np.ndarray) -> np.ndarray:
        """(row × step) heat the rows may serve: max(share × demand, residual) of their
        zone, split by size (each row's h_max bounds its heat; a banked share keeps the
        allowance above it)."""
        zone_mw = np.maximum(residual[self.zone_row], self.share[:, None] * demand[self.zone_row])
        return self.split[:, None] * zone_mw


class BoilerLimits:
    """What the boiler limits need every window, computed once per system."""

    def __init__(self, system):
        table = system.table(HeatBoiler.NAME)
        zones = list(system.table("heat_zone").index)
        peak_only = table["peak_only"].astype(bool)
        shared = table[~peak_only & (table["demand_share_max_pu"] < 1.0)]
        self.peak = LimitedRows(table[peak_only], zones, np.zeros(int(peak_only.sum())))
        self.shared = LimitedRows(shared, zones, shared["demand_share_max_pu"].to_numpy(float))
        self.period = shared["share_period"].to_dict()
        self.hourly = [u for u in self.shared.units if self.period[u] == "hour"]
        self.banked = [u for u in self.shared.units if self.period[u] != "hour"]
        self.chp_capacity_mw_th = zone_chp_capacity_mw_th(system).reindex(zones).to_numpy(float)


def _build_share_bank(b, ctx, T) -> None:
    """Banked share: bank[t] = carry[t] + dt · (allowance − heat + excess)[t] ≥ 0, where
    carry[t] ≤ bank[t − 1] (the window's first step: the banked state) and carry is fixed to
    0 on the first step of a period (bounds set per window)."""
    b.BANKED = pyo.Set(initialize=b.limits.banked, ordered=True)
    b.bank_start_mwh_th = ctx.param(b.BANKED)
    b.bank_carry_mwh_th = pyo.Var(b.BANKED, T, domain=pyo.NonNegativeReals)
    b.bank_mwh_th = pyo.Var(b.BANKED, T, domain=pyo.NonNegativeReals)
    first = T.first()
    b.bank_carry_limit = pyo.Constraint(b.BANKED, T, rule=lambda b, u, t: b.bank_carry_mwh_th[
        u, t] <= (b.bank_start_mwh_th[u] if t == first else b.bank_mwh_th[u, T.prev(t)]))
    b.bank_balance = pyo.Constraint(b.BANKED, T, rule=lambda b, u, t: b.bank_mwh_th[u, t]
                                    == b.bank_carry_mwh_th[u, t] + ctx.dt_h * (
                                        b.share_allowance_mw_th[u, t] - b.heat_mw_th[u, t]
                                        + b.share_excess_mw_th[u, t]))


def _update_share_bank(b, ctx, start: int, state) -> None:
    banked = b.limits.banked
    ctx.set_param(b.bank_start_mwh_th, [(state or {}).get(u, 0.0) for u in banked], banked)
    opens = {p: period_starts(ctx.system, start, ctx.n_steps, p)
             for p in {b.limits.period[u] for u in banked}}
    upper = np.array([np.where(opens[b.limits.period[u]], 0.0, np.inf) for u in banked])
    ctx.set_bounds(b.bank_carry_mwh_th, banked, np.zeros_like(upper), upper)


def period_starts(system, start: int, n: int, period: str) -> np.ndarray:
    """Per step of [start, start + n): True where the step opens a new day, month or
    season (1 July) against the step before it; the run's first step opens one."""
    stamps = system.time[0] + pd.to_timedelta(np.arange(start - 1, start + n) * system.dt_h,
                                              unit="h")
    if period == "day":
        key = stamps.normalize().to_numpy()
    elif period == "month":
        key = (stamps.year * 12 + stamps.month).to_numpy()
    else:
        key = (stamps.year - (stamps.month < 7)).to_numpy()
    opens = key[1:] != key[:-1]
    if start == 0:
        opens[0] = True
    return opens


def zone_chp_capacity_mw_th(system) -> pd.Series:
    """Per zone: CHP heat capacity of all its units (extraction plus fitted retrofits)."""
    zones = system.table("heat_zone")
    chp, thermal = system.table("chp"), system.table("thermal")
    capacity = pd.Series(0.0, index=zones.index)
    if len(chp):
        heat = chp["h_max_mw_th"] + chp["lpc_h_max_mw_th"] + chp["bypass_h_max_mw_th"]
        units = thermal.loc[chp["unit"], "n_units"].to_numpy(float)
        capacity = capacity.add((heat * units).groupby(chp["zone"]).sum(), fill_value=0.0)
    return capacity


class PowerToHeat(Technology):
    """Electric boiler (fixed efficiency) or heat pump (COP from the zone's temperature):
    consumes p_mw at a bus, delivers heat = cop[t] · p_mw to a zone."""

    REQUIRES = ("heat_zone",)
    CAUSES = (CONVERSION_LIMIT,)

    def __init__(self, name: str, columns: dict, cop=None):
        self.NAME, self._cop = name, cop
        self.SPEC = TableSpec(name, {"bus": (None, "bus name"), "zone": (None, "heat zone name"),
                                     "p_max_mw": (None, "MW electric"), **columns},
                              scaled=("p_max_mw",))
        title = name.replace("_", " ").capitalize() + "s"
        self.OUTPUTS = (
            Output(f"{name}_consumption_mw", "electricity", "consumption",
                   f"{name}_consumption_mwh", title),
            Output(f"{name}_heat_mw_th", "heat", "generation", f"{name}_heat_mwh", title))

    def active(self, system):
        return len(system.table(self.NAME)) > 0

    def prepare(self, tables, where, case):
        check_refs(tables[self.NAME], "zone", _zones_of(tables), "heat zones", self.NAME, where)
        return tables

    def firm_capacity(self, system) -> dict:
        """MW_th at the lowest conversion factor (efficiency, or the lowest COP)."""
        table = system.table(self.NAME)
        low = table["efficiency_pu"] if "efficiency_pu" in table else table["cop_min_pu"]
        return {"heat": (table["p_max_mw"] * low).groupby(table["zone"]).sum()}

    def cop(self, system, row, start: int, n: int) -> np.ndarray:
        """MW_th per MW each step: the conversion rule this converter was made with."""
        return self._cop(system, row, start, n)

    def curtailment_roles(self, ds, system) -> list:
        """A converter drawing its maximum power is a sink at its limit (`conversion_limit`)."""
        table = system.table(self.NAME)
        drawn = result(ds, f"{self.NAME}_consumption_mw", table.index)
        return [at_limit(CONVERSION_LIMIT.name, drawn, table["p_max_mw"])]

    def build(self, b, ctx):
        table = ctx.system.table(self.NAME)
        T = b.model().T
        pmax = table["p_max_mw"].to_dict()
        b.UNITS = pyo.Set(initialize=list(table.index), ordered=True)
        b.p_mw = pyo.Var(b.UNITS, T, bounds=lambda b, u, t: (0, pmax[u]))
        b.heat_mw_th = pyo.Var(b.UNITS, T, domain=pyo.NonNegativeReals)
        # cop enters as a coefficient, set per window (`ctx.set_coef`); 1 keeps the entry
        b.conversion = pyo.Constraint(b.UNITS, T, rule=lambda b, u, t: b.heat_mw_th[u, t]
                                      - 1.0 * b.p_mw[u, t] == 0)
        ctx.add_power(bus_map(table), b.p_mw, sign=-1.0)
        ctx.add_heat(table["zone"].to_dict(), b.heat_mw_th)

    def update(self, b, ctx, start, state):
        table = ctx.system.table(self.NAME)
        cop = np.array([self.cop(ctx.system, row, start, ctx.n_steps)
                        for _, row in table.iterrows()]).reshape(len(table), ctx.n_steps)
        ctx.set_coef(b.conversion, b.p_mw, list(table.index), -cop)

    def extract(self, b, ctx):
        units = list(b.UNITS)
        return {k: data_array(k, ctx.values(getattr(b, v), units), self.NAME, units)
                for k, v in ((f"{self.NAME}_consumption_mw", "p_mw"),
                             (f"{self.NAME}_heat_mw_th", "heat_mw_th"))}


def fixed_efficiency(system, row, start: int, n: int) -> np.ndarray:
    return np.full(n, row.efficiency_pu)


def temperature_cop(system, row, start: int, n: int) -> np.ndarray:
    """COP = cop_at_0c + cop_per_c × outdoor temperature, at least cop_min."""
    temp = heat_zone.temperature_c(system, row.zone, start, n)
    temp = np.zeros(n) if temp is None else temp
    return np.maximum(row.cop_at_0c_pu + row.cop_per_c * temp, row.cop_min_pu)


HEAT_BOILER = HeatBoiler()
ELECTRIC_BOILER = PowerToHeat("electric_boiler", {
    "efficiency_pu": (0.99, "MW_th per MW (electrode boilers ≈ 0.99, S46)")}, fixed_efficiency)
HEAT_PUMP = PowerToHeat("heat_pump", {
    "cop_at_0c_pu": (3.0, "COP at 0 degC outdoor"),
    "cop_per_c": (0.05, "COP change per degC"),
    "cop_min_pu": (1.5, "lowest COP")}, temperature_cop)
