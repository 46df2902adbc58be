"""Curtailment attributed to its causes (弃风原因), per hour and renewable asset.

The rule (docs/methods.md "Why wind is curtailed"), applied to a solved run, hour by hour:
1. `network`: curtailment at a bus whose price is below the highest bus price of the hour
   by more than NETWORK_PRICE_GAP: a stronger grid could have carried it to a bus that
   still paid for energy.
2. The rest is system surplus. Technologies report what stood in the way
   (`curtailment_roles` hook): *forced* supply (MW that could not go lower: heat-led CHP
   output, minimum stable load, ramp-down limits, hydro minimum release, small plants outside
   dispatch, fixed imports) and
   *sinks* at their limit (export links at their maximum, fixed export schedules, electric
   stores full or charging at their maximum). The surplus up to the forced total is split
   over the forced causes by their Shapley values in the game "curtailment removed by
   removing these causes" = min(Σ their forced MW, surplus) (each cause's average marginal
   effect over every removal order: a cause that alone would remove all of it is not
   credited with all of it, and the shares add up); any surplus beyond the forced total
   (renewables alone exceed what demand and sinks take) goes to the sinks at their limit in
   proportion to their MW; what neither explains is `other`.
3. Each hour's system shares go to the assets in proportion to their non-network
   curtailment, so the causes add up to each asset's curtailment exactly (to rounding).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import xarray as xr

from .causes import AT_LIMIT_TOL_MW, FORCED, SINK, Role, declared_causes
from .outputs import Output

NETWORK_PRICE_GAP_CNY_PER_MWH = 0.5  # above solver noise, below any real congestion rent
OUTPUT = Output("curtailment_by_cause_mw", "electricity", "detail", "",
                "Curtailment by cause")


def split(curtailed_mw: np.ndarray, network_mask: np.ndarray, roles: list[Role],
          causes: tuple[str, ...] | None = None) -> dict:
    """{cause: (asset × time) MW} over `causes` (default: network, the roles' causes,
    other); the causes add up to `curtailed_mw` (asset × time)."""
    causes = causes or ("network", *dict.fromkeys(r.cause for r in roles), "other")
    unknown = sorted({r.cause for r in roles} - set(causes))
    if unknown:
        raise ValueError(f"curtailment roles of undeclared causes {unknown} (declare them "
                         "in the technology's CAUSES)")
    curtailed_mw = np.clip(curtailed_mw, 0.0, None)
    out = {cause: np.zeros_like(curtailed_mw) for cause in causes}
    out["network"] = np.where(network_mask, curtailed_mw, 0.0)
    rest = curtailed_mw - out["network"]
    surplus = rest.sum(axis=0)
    forced = _by_cause(roles, FORCED, surplus.shape)
    sinks = _by_cause(roles, SINK, surplus.shape)
    forced_total = sum(forced.values(), np.zeros_like(surplus))
    sink_total = sum(sinks.values(), np.zeros_like(surplus))
    by_forced = np.minimum(surplus, forced_total)
    beyond = surplus - by_forced
    shares = shapley(forced, surplus)
    for c, mw in sinks.items():
        shares[c] = shares.get(c, 0.0) + _share(mw, sink_total, beyond)
    shares["other"] = np.where(sink_total > 0, 0.0, beyond)
    weight = np.divide(rest, surplus, out=np.zeros_like(rest), where=surplus > 0)
    for cause, share in shares.items():
        out[cause] = out[cause] + weight * share
    return out


def shapley(forced: dict, surplus: np.ndarray) -> dict:
    """Each forced cause's Shapley value in the game v(S) = min(Σ_{k∈S} forced_k, surplus):
    its average marginal reduction of the hour's curtailment over every order in which the
    causes could be removed. Shares add up to min(Σ forced, surplus) exactly."""
    names = list(forced)
    n = len(names)
    if not n:
        return {}
    mw = np.stack([forced[c] for c in names])
    weight = [math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)
              for k in range(n)]
    out = {c: np.zeros_like(surplus) for c in names}
    for mask in range(1 << n):
        members = [i for i in range(n) if mask >> i & 1]
        base = np.minimum(mw[members].sum(axis=0), surplus)
        for i in range(n):
            if not mask >> i & 1:
                gain = np.minimum(mw[members + [i]].sum(axis=0), surplus) - base
                out[names[i]] += weight[len(members)] * gain
    return out


def _by_cause(roles, kind, shape) -> dict:
    out: dict = {}
    for role in roles:
        if role.kind == kind:
            mw = np.nan_to_num(np.asarray(role.mw, dtype=float))
            mw = np.where(mw > AT_LIMIT_TOL_MW * 1e-3, mw, 0.0)  # drop rounding noise
            out[role.cause] = out.get(role.cause, np.zeros(shape)) + mw
    return out


def _share(mw, total, amount):
    return np.divide(mw * amount, total, out=np.zeros_like(amount), where=total > 0)


def network_mask(ds: xr.Dataset) -> np.ndarray:
    """(renewable × time) True where the asset's bus price is below the hour's highest."""
    if "bus_price_cny_per_mwh" not in ds or "renewable_bus" not in ds.coords:
        return np.zeros((ds.sizes["renewable"], ds.sizes["time"]), dtype=bool)
    price = ds["bus_price_cny_per_mwh"].transpose("bus", "time")
    top = price.max("bus").values
    at_asset = price.sel(bus=ds["renewable_bus"].values).values
    return np.nan_to_num(top - at_asset) > NETWORK_PRICE_GAP_CNY_PER_MWH


def attribute(ds: xr.Dataset, system, techs) -> xr.Dataset:
    """`curtailment_by_cause_mw` (cause × time × renewable) of a solved run, over the causes
    every technology of the set declares (the same columns in every run of the set); each
    cause's meaning rides along as the coordinate's attribute `meanings`."""
    if "renewable_curtailed_mw" not in ds:
        return xr.Dataset()
    curtailed = ds["renewable_curtailed_mw"].transpose("renewable", "time").values
    declared = declared_causes(techs)
    roles = [role for tech in techs if tech.active(system)
             for role in tech.curtailment_roles(ds, system)]
    names = tuple(c.name for c in declared)
    parts = split(curtailed, network_mask(ds), roles, names)
    values = np.stack([parts[c].T for c in names])
    da = xr.DataArray(values, dims=("cause", "time", "renewable"),
                      coords={"cause": list(names), "time": ds["time"],
                              "renewable": ds["renewable"]},
                      attrs={"units": "MW"})
    da["cause"].attrs["meanings"] = json.dumps({c.name: c.meaning for c in declared})
    return xr.Dataset({OUTPUT.var: OUTPUT.stamp(da)})


def cause_meanings(ds: xr.Dataset) -> dict[str, str]:
    """{cause: meaning} of a run's attribution (empty without renewables)."""
    if OUTPUT.var not in ds:
        return {}
    return json.loads(ds[OUTPUT.var]["cause"].attrs.get("meanings", "{}")) or {
        c: "" for c in causes_of(ds)}


def causes_of(ds: xr.Dataset) -> list[str]:
    """The causes a run's attribution covers (its `cause` coordinate)."""
    return [str(c) for c in ds[OUTPUT.var]["cause"].values] if OUTPUT.var in ds else []


def summary(ds: xr.Dataset) -> dict:
    """`curtailment_<cause>_mwh` per cause (flat, so compare and sweeps list them), the
    share of each in percent, and `curtailment_by_cause_by_month_mwh`."""
    if OUTPUT.var not in ds:
        return {}
    monthly = monthly_table(ds)
    totals = monthly.sum()
    whole = float(totals.sum())
    causes = causes_of(ds)
    out = {f"curtailment_{c}_mwh": float(totals[c]) for c in causes}
    out.update({f"curtailment_{c}_pct": (100 * float(totals[c]) / whole) if whole else 0.0
                for c in causes})
    out["curtailment_by_cause_by_month_mwh"] = {
        month: {c: float(row[c]) for c in causes} for month, row in monthly.iterrows()}
    return out


def monthly_table(ds: xr.Dataset) -> pd.DataFrame:
    """Rows: months (YYYY-MM); columns: causes; MWh."""
    da = ds[OUTPUT.var].sum("renewable") * ds.attrs.get("dt_h", 1.0)
    frame = da.transpose("time", "cause").to_pandas()
    frame.index = pd.DatetimeIndex(frame.index).strftime("%Y-%m")
    return frame.groupby(level=0).sum()[causes_of(ds)]
