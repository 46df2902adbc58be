"""Conventional hydro with a reservoir: inflow (MW series), reservoir bounds, turbine limit,
minimum release, spill. Generation ≤ release; release = turbine flow + spill (all in MW of
electric equivalent)."""

from __future__ import annotations

import numpy as np

from ...case import override_key
from ...causes import FORCED, Cause, Role
from ...errors import CaseError, NetworkError
from ...outputs import Output
from ...system import TableSpec
from . import _storage
from ._pyomo import pyo
from ._util import bus_map, data_array, result, scaled_profiles

NAME = "hydro"
SPEC = TableSpec(NAME, {
    "bus": (None, "bus name"),
    "p_max_mw": (None, "MW turbine"),
    "min_release_mw": (0.0, "MW (ecological minimum release)"),
    "inflow_mw": (None, "MW (mean inflow, electric equivalent)"),
    "inflow_profile": ("", "series (pu of inflow_mw)"),
    "e_max_mwh": (None, "MWh reservoir"),
    "e_min_mwh": (0.0, "MWh"),
    "initial_soc_pu": (0.5, "pu of e_max_mwh"),
    "loss_per_h": (0.0, "1/h"),
    "cyclic": (True, "end content >= start"),
    "cyclic_each_window": (True, ("every rolling window ends at least as full as it began "
                                  "(daily regulation; no seasonal drawdown without a water "
                                  "value)")),
    "min_release_penalty_cny_per_mwh": (1000.0, "CNY/MWh below the minimum release"),
    "min_release_generates": (False, ("true/false: the minimum release passes the turbines "
                                      "(ecological flow generates) instead of being free to "
                                      "spill")),
    "release_inflow_each_window": (False, ("true/false: every rolling window releases its "
                                           "inflow (as full as it began where the window's kept "
                                           "steps end and at its end; needs cyclic_each_window):"
                                           " a scheduled release, turbined or spilled")),
    "spill_penalty_cny_per_mwh": (0.0, "CNY/MWh of water released past the turbines"),
}, ordered=(("e_min_mwh", "e_max_mwh"), ("min_release_mw", "p_max_mw")),
    scaled=("p_max_mw",))  # turbines; the river's inflow is weather, set on its own
# hydro_generation_mwh also counts thermal rows of kind "hydro" (kpi.py)
OUTPUTS = (
    Output("hydro_generation_mw", "electricity", "generation", "", "Hydro", "#1f77b4"),
    Output("hydro_spill_mw", "water", "detail", "", "Hydro spill"),
    Output("hydro_soc_mwh", "water", "level", "", "Reservoir content"),
)
CAUSES = (Cause("hydro_min_release", "the reservoirs' minimum and scheduled release"),)


def active(system) -> bool:
    return len(system.table(NAME)) > 0


def prepare(tables: dict, where, case) -> dict:
    """A scheduled release needs the per-window content condition it tightens."""
    table = tables[NAME]
    bad = table.index[table["release_inflow_each_window"].astype(bool)
                      & ~table["cyclic_each_window"].astype(bool)]
    if len(bad):
        expected = "cyclic_each_window = true for a release scheduled per window"
        found = override_key(case, NAME, "cyclic_each_window") if case is not None else None
        if found:
            raise CaseError(found[0], found[1], "false while release_inflow_each_window is "
                            f"true ({bad[0]})", expected)
        raise NetworkError(where, f"{NAME}.{bad[0]}.release_inflow_each_window",
                           "true while cyclic_each_window is false", expected)
    return tables


def _store_table(table):
    t = table.copy()
    t["p_in_max_mw"] = 0.0
    t["p_out_max_mw"] = 1e6  # release is bounded through generation and the reservoir
    t["eta_in_pu"], t["eta_out_pu"] = 1.0, 1.0
    return t


def build(b, ctx) -> None:
    table = ctx.system.table(NAME)
    _storage.build_store(b, ctx, _store_table(table), "mw", "mwh", inflow=True, name=NAME)
    T = b.model().T
    pmax = table["p_max_mw"].to_dict()
    b.generation_mw = pyo.Var(b.STORES, T, bounds=lambda b, s, t: (0, pmax[s]))
    b.min_release_mw = ctx.param(b.STORES, T)  # 0 past the end of the data
    b.turbine = pyo.Constraint(b.STORES, T, rule=lambda b, s, t: b.generation_mw[s, t]
                               <= b.out_mw[s, t])
    b.release_shortfall_mw = pyo.Var(b.STORES, T, domain=pyo.NonNegativeReals)
    through = table["min_release_generates"].astype(bool).to_dict()
    released = lambda b, s, t: b.generation_mw[s, t] if through[s] else b.out_mw[s, t]
    b.min_release = pyo.Constraint(b.STORES, T, rule=lambda b, s, t: released(b, s, t)
                                   + b.release_shortfall_mw[s, t] >= b.min_release_mw[s, t])
    penalty = table["min_release_penalty_cny_per_mwh"].to_dict()
    ctx.add_cost("hydro_release_shortfall", lambda t: ctx.dt_h * pyo.quicksum(
        penalty[s] * b.release_shortfall_mw[s, t] for s in b.STORES), penalty=True)
    _scheduled_release(b, ctx, table)
    ctx.add_power(bus_map(table), b.generation_mw)


def _scheduled_release(b, ctx, table) -> None:
    """Stores that release their inflow each window are as full as they began at the end of
    the kept steps and of the look-ahead (the ≥ half there is the cyclic condition), so no
    release drifts into the next window; water past the turbines costs
    spill_penalty_cny_per_mwh."""
    kept, last = ctx.commit_steps - 1, ctx.n_steps - 1
    scheduled = [s for s in table.index if bool(table.at[s, "release_inflow_each_window"])]
    b.kept_target = ctx.param(b.STORES)
    b.release_kept = pyo.Constraint(scheduled, rule=lambda b, s: b.soc_mwh[s, kept]
                                    == b.kept_target[s])
    b.release_end = pyo.Constraint(scheduled, rule=lambda b, s: b.soc_mwh[s, last]
                                   <= b.cyclic_target[s])
    spill = {s: float(v) for s, v in table["spill_penalty_cny_per_mwh"].items() if v > 0}
    if spill:
        ctx.add_cost("hydro_spill", lambda t: ctx.dt_h * pyo.quicksum(
            v * (b.out_mw[s, t] - b.generation_mw[s, t]) for s, v in spill.items()),
            penalty=True)


def update(b, ctx, start, state) -> None:
    table = ctx.system.table(NAME)
    stores = list(table.index)
    inside, target = _storage.set_initial(b, ctx, table, "mwh", state, start)
    kept = _storage.decay(table, stores, ctx, inside, at=ctx.commit_steps - 1)
    ctx.set_param(b.kept_target, target * kept, stores)
    live = np.arange(ctx.n_steps) < inside
    inflow = scaled_profiles(ctx.system, table, "inflow_mw", "inflow_profile", start,
                             ctx.n_steps)
    ctx.set_param(b.inflow, inflow * live, stores)
    floor = np.minimum(table["min_release_mw"], table["p_max_mw"]).to_numpy(float)
    ctx.set_param(b.min_release_mw, floor[:, None] * live[None, :], stores)


def final_state(b, ctx, k):
    return _storage.final_state(b, ctx, k)


def extract(b, ctx) -> dict:
    stores = list(b.STORES)
    gen = ctx.values(b.generation_mw, stores)
    release = ctx.values(b.out_mw, stores)
    return {"hydro_generation_mw": data_array("hydro_generation_mw", gen, NAME, stores),
            "hydro_spill_mw": data_array("hydro_spill_mw", release - gen, NAME, stores),
            "hydro_soc_mwh": data_array("hydro_soc_mwh", ctx.values(b.soc_mwh, stores),
                                        NAME, stores)}


def curtailment_roles(ds, system) -> list:
    """Generation up to the minimum release, or all of it where the release is scheduled
    per window, is `hydro_min_release` (water that must flow anyway)."""

    table = system.table(NAME)
    gen = result(ds, "hydro_generation_mw", table.index)
    scheduled = table["release_inflow_each_window"].astype(bool).to_numpy()[:, None]
    forced = np.where(scheduled, gen, np.minimum(gen, table["min_release_mw"].to_numpy()[:, None]))
    return [Role("hydro_min_release", FORCED, forced.sum(axis=0))]
