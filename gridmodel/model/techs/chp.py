"""Coal CHP: the electric–heat operating region of a committed thermal unit, and retrofits.

A CHP row names a thermal unit (committed and costed by the thermal module) and a heat zone.
Heat h_mw_th comes from extraction; the thermal limits, ramps and cost act on the
fuel-equivalent output p + c_v·h (registered here), which gives for extraction-condensing
units:  p_min·on − c_v·h ≤ p ≤ p_max·on − c_v·h,  p ≥ c_b·h,  h ≤ h_max·on;
for back-pressure units p = c_b·h.

Flexibility retrofits (per unit, 0 = not fitted):
- `min_load_pu`: lower minimum fuel-equivalent output (fraction of p_max; sets p_min).
- `lpc_h_max_mw_th`: low-pressure-cylinder cut-off: extra heat beyond the back-pressure line
  (not bound by p ≥ c_b·h), at the same power loss c_v per MW_th.
- `bypass_h_max_mw_th`: turbine bypass heating: heat without power, costing
  `bypass_fuel_per_heat_pu` MW of fuel-equivalent output per MW_th.
- a heat accumulator at the plant is a `heat_storage` row in the unit's zone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...case import override_key
from ...causes import FORCED, Cause, Role
from ...errors import NetworkError
from ...outputs import Output
from ...system import TableSpec
from . import thermal
from ._pyomo import pyo
from ._util import check_refs, data_array, result

NAME = "chp"
REQUIRES = ("thermal", "heat_zone")  # acts on thermal units (on, p, fuel) in heat zones
SPEC = TableSpec(NAME, {
    "unit": (None, "thermal unit name"),
    "zone": (None, "heat zone name"),
    "mode": ("extraction", "extraction | backpressure"),
    "c_b_pu": (0.75, "MW per MW_th (back-pressure line)"),
    "c_v_pu": (0.15, "MW fuel-equivalent per MW_th (power loss of extraction)"),
    "h_max_mw_th": (None, "MW_th"),
    "min_load_pu": (0.0, "pu of p_max (0 = unit's own p_min)"),
    "lpc_h_max_mw_th": (0.0, "MW_th extra heat with LP cylinder cut off"),
    "bypass_h_max_mw_th": (0.0, "MW_th bypass heat"),
    "bypass_fuel_per_heat_pu": (0.4, "MW fuel-equivalent per MW_th of bypass heat"),
}, scaled=("h_max_mw_th",))
OUTPUTS = (
    Output("chp_heat_mw_th", "heat", "generation", "chp_heat_mwh", "CHP", "#8c564b"),
    Output("chp_lpc_heat_mw_th", "heat", "detail", "chp_lpc_heat_mwh",
           "CHP LP-cylinder cut-off (in CHP)"),
    Output("chp_bypass_heat_mw_th", "heat", "detail", "chp_bypass_heat_mwh",
           "CHP bypass (in CHP)"),
    Output("chp_p_mw", "electricity", "detail", "chp_electric_mwh", "CHP electric"),
)
CAUSES = (
    Cause("heat_must_run", "power a CHP unit must make for the heat it serves (c_b × heat, "
          "the extraction region's floor): what the heat keeps on"),
    Cause("min_stable_load", "committed units held at their minimum stable output"),
)


def active(system) -> bool:
    return len(system.table(NAME)) > 0


def _follow_expansion(chp: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """CHP rows of a unit that thermal split into single units are split alike."""
    rows = []
    for c, row in chp.iterrows():
        parts = thermal.rows_of(units, row.unit)
        if parts == [row.unit] or not parts:
            rows.append(row)
            continue
        for u in parts:
            rows.append(row.copy().rename(f"{c}#{u.split('#')[-1]}"))
            rows[-1]["unit"] = u
    return pd.DataFrame(rows)


def prepare(tables: dict, where, case) -> dict:
    """Check references; apply the minimum-load retrofit to the thermal table."""
    chp = _follow_expansion(tables[NAME], tables.get("thermal", pd.DataFrame(index=[])))
    tables = {**tables, NAME: chp}
    check_refs(chp, "unit", tables.get("thermal", []).index if "thermal" in tables else [],
               "thermal units", NAME, where)
    check_refs(chp, "zone", tables["heat_zone"].index if "heat_zone" in tables else [],
               "heat zones", NAME, where)
    twice = chp.index[chp["unit"].duplicated(keep=False)]
    if len(twice):
        first = chp.loc[twice[0], "unit"]
        rows = list(chp.index[chp["unit"] == first])
        found = override_key(case, NAME, "unit") if case is not None else None
        origin, key = found if found else (where, f"chp.{rows[-1]}.unit")
        raise NetworkError(origin, key, f"{first!r} is the unit of CHP rows {rows}",
                           "one CHP row per thermal unit")
    bad = chp.index[~chp["mode"].isin(["extraction", "backpressure"])]
    if len(bad):
        raise NetworkError(where, f"chp.{bad[0]}.mode", "unknown mode", "extraction | backpressure")
    loaded = chp[chp["min_load_pu"] > 0]
    return thermal.with_min_load(tables, dict(zip(loaded["unit"], loaded["min_load_pu"])))


def claims(system) -> dict:
    """CHP classifies its thermal units' curtailment roles itself."""
    return {"thermal": list(system.table(NAME)["unit"])}


def build(b, ctx) -> None:
    table = ctx.system.table(NAME)
    thermal_on, thermal_p = ctx.use("thermal.on"), ctx.use("thermal.p_mw")
    T = b.model().T
    b.CHP = pyo.Set(initialize=list(table.index), ordered=True)
    col = table.to_dict()
    unit = col["unit"]
    # retrofit variables only where the retrofit is fitted (size > 0)
    b.LPC = pyo.Set(initialize=[c for c in table.index if col["lpc_h_max_mw_th"][c] > 0])
    b.BYPASS = pyo.Set(initialize=[c for c in table.index if col["bypass_h_max_mw_th"][c] > 0])
    b.heat_mw_th = pyo.Var(b.CHP, T, domain=pyo.NonNegativeReals)
    b.lpc_heat_mw_th = pyo.Var(b.LPC, T, domain=pyo.NonNegativeReals)
    b.bypass_heat_mw_th = pyo.Var(b.BYPASS, T, domain=pyo.NonNegativeReals)
    on = lambda c, t: thermal_on[unit[c], t]
    b.heat_max = pyo.Constraint(b.CHP, T, rule=lambda b, c, t: b.heat_mw_th[c, t]
                                <= col["h_max_mw_th"][c] * on(c, t))
    b.lpc_max = pyo.Constraint(b.LPC, T, rule=lambda b, c, t: b.lpc_heat_mw_th[c, t]
                               <= col["lpc_h_max_mw_th"][c] * on(c, t))
    b.bypass_max = pyo.Constraint(b.BYPASS, T, rule=lambda b, c, t: b.bypass_heat_mw_th[c, t]
                                  <= col["bypass_h_max_mw_th"][c] * on(c, t))

    def backpressure_line(b, c, t):
        lhs, rhs = thermal_p[unit[c], t], col["c_b_pu"][c] * b.heat_mw_th[c, t]
        return lhs == rhs if col["mode"][c] == "backpressure" else lhs >= rhs

    b.chp_region_backpressure = pyo.Constraint(b.CHP, T, rule=backpressure_line)
    for c in table.index:
        ctx.add_fuel(unit[c], b.heat_mw_th, c, col["c_v_pu"][c])
    for c in b.LPC:
        ctx.add_fuel(unit[c], b.lpc_heat_mw_th, c, col["c_v_pu"][c])
    for c in b.BYPASS:
        ctx.add_fuel(unit[c], b.bypass_heat_mw_th, c, col["bypass_fuel_per_heat_pu"][c])
    zone = col["zone"]
    ctx.add_heat(zone, b.heat_mw_th)
    ctx.add_heat({c: zone[c] for c in b.LPC}, b.lpc_heat_mw_th)
    ctx.add_heat({c: zone[c] for c in b.BYPASS}, b.bypass_heat_mw_th)


def update(b, ctx, start, state) -> None:
    """Nothing time-varying: the region is fixed; commitment state lives in thermal."""


def extract(b, ctx) -> dict:
    table = ctx.system.table(NAME)
    cs = list(b.CHP)
    power = ctx.values(ctx.use("thermal.p_mw"), table.loc[cs, "unit"].tolist())
    lpc = _values_or_zero(ctx, b.lpc_heat_mw_th, b.LPC, cs)
    bypass = _values_or_zero(ctx, b.bypass_heat_mw_th, b.BYPASS, cs)
    out = {"chp_heat_mw_th": ctx.values(b.heat_mw_th, cs) + lpc + bypass,
           "chp_lpc_heat_mw_th": lpc, "chp_bypass_heat_mw_th": bypass, "chp_p_mw": power}
    return {k: data_array(k, v, NAME, cs) for k, v in out.items()}


def _values_or_zero(ctx, var, subset, rows) -> np.ndarray:
    out = np.zeros((len(rows), ctx.n_steps))
    fitted = [c for c in rows if c in subset]
    if fitted:
        out[[rows.index(c) for c in fitted]] = ctx.values(var, fitted)
    return out


def curtailment_roles(ds, system) -> list:
    """A CHP unit delivering heat cannot go below max(c_b·h, p_min·on − c_v·h − fuel of
    retrofit heat): that output (and the unit being on at all) is `heat_must_run`; a CHP unit
    without heat in the hour counts its p_min × on as `min_stable_load`."""

    table = system.table(NAME)
    cs = list(table.index)
    heat = result(ds, "chp_heat_mw_th", cs)
    lpc, bypass = result(ds, "chp_lpc_heat_mw_th", cs), result(ds, "chp_bypass_heat_mw_th", cs)
    main = heat - lpc - bypass
    view = thermal.unit_view(ds, system, table["unit"].tolist())
    p, p_min = view.p_mw, view.min_output_mw
    col = lambda name: table[name].to_numpy()[:, None]
    fuel = col("c_v_pu") * (main + lpc) + col("bypass_fuel_per_heat_pu") * bypass
    floor = np.clip(np.maximum(col("c_b_pu") * main, p_min - fuel), 0.0, None)
    serving = heat > 1e-6
    heat_led = np.where(serving, np.minimum(p, floor), 0.0)
    idle = np.where(serving, 0.0, np.minimum(p, p_min))
    return [Role("heat_must_run", FORCED, heat_led.sum(axis=0)),
            Role("min_stable_load", FORCED, idle.sum(axis=0))]


def firm_capacity(system) -> dict:
    """The zone's CHP heat: extraction (and, where fitted, LP cut-off and bypass) heat."""
    table = system.table(NAME)
    units = system.table("thermal")["n_units"].reindex(table["unit"]).to_numpy(float)
    heat = (table["h_max_mw_th"] + table["lpc_h_max_mw_th"] + table["bypass_h_max_mw_th"]) \
        * units  # per unit of the row, times its units
    return {"heat": heat.groupby(table["zone"]).sum()}
