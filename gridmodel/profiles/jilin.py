"""Hourly 2016 profiles for the Jilin model, from seeded generators calibrated to statistics.

Method (each figure's source is in networks/jilin/README.md):
- load: 2016 monthly consumption (S5) spread over hours with a diurnal shape (evening peak in
  winter, midday in summer), a weekend dip and small noise; monthly energy is exact.
- temperature per zone: Changchun monthly normals interpolated to days, a zone offset, a
  daily AR(1) anomaly (σ 4 °C) and a diurnal swing (±4 °C, minimum 05:00).
- heat per zone: degree-hours (18 °C − T̄₂₄)⁺ on the 24-h mean temperature inside the
  heating season (20 Oct – 6 Apr).
- wind per area: a probit transform of an AR(1) latent (ρ = 0.97 per hour) with a common and
  an area component, monthly offsets solved so that monthly capacity factors match targets:
  WIND_CF's seasonal shape scaled to the statistics' potentials (Q1 2.26 TWh, S17; year
  9.56 TWh, S12/S15; 1,892 full-load hours), and a night-time bonus in the cold season.
- solar: clear-sky sine of solar elevation at 44° N times a daily AR(1) clearness index,
  scaled to ≈ 1,300 full-load hours (0.09 TWh from 70 MW, S1).
- hydro inflow: the monthly shape of Jilin's 2016 hydro generation (NBS, S5; January and
  February share their joint figure by hours) with seeded daily noise.
- tie schedules (MW of net export): bands calibrated to the 2016 exchanges (S12), and a
  flat and a monthly Liaoning schedule of S12's volume, the monthly one from Jilin's monthly
  net export (NBS generation minus consumption, S5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr
from scipy.stats import norm

from . import nbs

MONTHLY_LOAD_GWH = [6180, 5250, 5530, 5190, 5120, 5090, 5470, 5650, 5120, 5630, 6160, 6380]  # S5
CHANGCHUN_NORMALS_C = [-15, -11, -2, 7, 15, 20, 23, 22, 15, 7, -3, -12]  # reference (approx.)
ZONE_OFFSET_C = {"changchun": 0.0, "jilin_city": -1.0, "siping": 1.0, "liaoyuan": 0.5,
                 "tonghua": 0.5, "baishan": -1.5, "songyuan": -0.5, "baicheng": -0.5,
                 "yanbian": 1.5}  # assumption: latitude/altitude/coast differences
WIND_CF = {"west": [.25, .24, .29, .31, .27, .17, .12, .11, .17, .23, .28, .26],
           "central": [.23, .22, .27, .29, .26, .15, .11, .10, .15, .21, .26, .24],
           "east": [.20, .19, .24, .27, .23, .13, .10, .09, .13, .18, .23, .21]}  # assumption: shape
WIND_AREA_MW = {"west": 4000, "central": 550, "east": 500}  # networks/jilin/renewables.csv
Q1_AVAILABLE_MWH = 1.20e6 / 0.53    # S17 (D): 1.20 TWh curtailed in Q1 2016 at 53 %
YEAR_AVAILABLE_MWH = 6.69e6 / 0.70  # S12 wind generation 6.69 TWh at 30 % curtailment, S15 (D)
RIVERS = ("songhua", "yalu")  # one provincial shape for both (NBS has no river split)
YEAR = 2016


def hours(year: int = YEAR) -> pd.DatetimeIndex:
    return pd.date_range(f"{year}-01-01", f"{year}-12-31 23:00", freq="h")


def _ar1(rng, n: int, rho: float, sigma: float = 1.0) -> np.ndarray:
    eps = rng.normal(0.0, sigma * np.sqrt(1 - rho * rho), n)
    x = np.empty(n)
    x[0] = rng.normal(0.0, sigma)
    for i in range(1, n):
        x[i] = rho * x[i - 1] + eps[i]
    return x


def load_mw(t: pd.DatetimeIndex, rng) -> np.ndarray:
    h, m = t.hour.to_numpy(), t.month.to_numpy()
    winter = np.isin(m, [11, 12, 1, 2, 3])
    shape = np.where(winter, 1 + 0.15 * np.cos((h - 18) / 24 * 2 * np.pi)
                     + 0.07 * np.cos((h - 10) / 12 * 2 * np.pi),
                     1 + 0.08 * np.cos((h - 14) / 24 * 2 * np.pi)
                     + 0.04 * np.cos((h - 20) / 12 * 2 * np.pi))
    shape *= np.where(t.dayofweek.to_numpy() >= 5, 0.96, 1.0)
    shape *= 1 + 0.015 * _ar1(rng, len(t), 0.9)
    out = np.empty(len(t))
    for month in range(1, 13):
        sel = m == month
        out[sel] = shape[sel] / shape[sel].sum() * MONTHLY_LOAD_GWH[month - 1] * 1000
    return out


def _daily_normals(t: pd.DatetimeIndex) -> np.ndarray:
    mid = pd.to_datetime([f"{YEAR}-{mo:02d}-15" for mo in range(1, 13)])
    x = np.concatenate([[(mid[-1] - pd.Timedelta(days=366)).value], mid.asi8,
                        [(mid[0] + pd.Timedelta(days=366)).value]])
    y = np.concatenate([[CHANGCHUN_NORMALS_C[-1]], CHANGCHUN_NORMALS_C,
                        [CHANGCHUN_NORMALS_C[0]]])
    return np.interp(t.asi8, x, y)


def temperatures_c(t: pd.DatetimeIndex, rng) -> dict[str, np.ndarray]:
    base = _daily_normals(t) + 4.0 * np.cos((t.hour.to_numpy() - 14) / 24 * 2 * np.pi)
    days = len(t) // 24
    common = np.repeat(_ar1(rng, days, 0.7, 4.0), 24)[: len(t)]
    return {z: base + off + common + np.repeat(_ar1(rng, days, 0.7, 1.0), 24)[: len(t)]
            for z, off in ZONE_OFFSET_C.items()}


def heating_season(t: pd.DatetimeIndex, start="10-20", end="04-06") -> np.ndarray:
    md = t.strftime("%m-%d")
    return (md >= start) | (md <= end)


def heat_degree_hours(temps: dict, season: np.ndarray, base_c: float = 18.0) -> dict:
    """Degree-hours on the 24-h mean temperature: buildings and the heating network smooth
    the outdoor swing (assumption), so heat demand follows the daily, not hourly, cold."""
    kernel = np.ones(24) / 24
    out = {}
    for z, temp in temps.items():
        smooth = np.convolve(np.concatenate([np.full(23, temp[0]), temp]), kernel, "valid")
        out[z] = np.where(season, np.maximum(base_c - smooth, 0.0), 0.0)
    return out


def _fit_offset(latent: np.ndarray, target: float) -> float:
    lo, hi = -4.0, 4.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if norm.cdf(mid + latent).mean() < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def calibrated_wind_cf(t: pd.DatetimeIndex) -> dict[str, np.ndarray]:
    """WIND_CF's monthly shape scaled so the available wind energy (year-end capacity all
    year) is the statistics' Q1 potential in Jan–Mar and the year's potential in all."""
    hours_in = np.bincount(t.month.to_numpy(), minlength=13)[1:]
    cf = {area: np.asarray(v, dtype=float) for area, v in WIND_CF.items()}
    mwh = sum(WIND_AREA_MW[a] * cf[a] * hours_in for a in cf)
    q1 = np.arange(12) < 3
    scale = np.where(q1, Q1_AVAILABLE_MWH / mwh[q1].sum(),
                     (YEAR_AVAILABLE_MWH - Q1_AVAILABLE_MWH) / mwh[~q1].sum())
    return {a: v * scale for a, v in cf.items()}


def wind_pu(t: pd.DatetimeIndex, rng) -> dict[str, np.ndarray]:
    common = _ar1(rng, len(t), 0.97)
    m, h = t.month.to_numpy(), t.hour.to_numpy()
    cold = np.isin(m, [10, 11, 12, 1, 2, 3, 4])
    night = 0.25 * np.cos((h - 2) / 24 * 2 * np.pi) * cold
    out = {}
    for area, cfs in calibrated_wind_cf(t).items():
        latent = 0.8 * common + 0.6 * _ar1(rng, len(t), 0.97) + night
        cf = np.empty(len(t))
        for month in range(1, 13):
            sel = m == month
            cf[sel] = norm.cdf(_fit_offset(latent[sel], cfs[month - 1]) + latent[sel])
        out[area] = np.clip(cf, 0.0, 1.0)
    return out


def solar_pu(t: pd.DatetimeIndex, rng, full_load_h: float = 1300.0) -> dict[str, np.ndarray]:
    doy, h = t.dayofyear.to_numpy(), t.hour.to_numpy() + 0.5
    decl = np.radians(23.44) * np.sin(2 * np.pi * (284 + doy) / 365)
    lat, hour_angle = np.radians(44.0), np.radians(15 * (h - 12.3))
    elev = np.sin(lat) * np.sin(decl) + np.cos(lat) * np.cos(decl) * np.cos(hour_angle)
    clear = np.clip(elev, 0, None)
    out = {}
    for area in ("west", "central"):
        k = np.clip(0.72 + np.repeat(_ar1(rng, len(t) // 24 + 1, 0.5, 0.18), 24)[: len(t)],
                    0.15, 1.0)
        raw = clear * k
        out[area] = np.clip(raw / raw.sum() * full_load_h, 0, 1)
    return out


def inflow_pu(t: pd.DatetimeIndex, rng) -> dict[str, np.ndarray]:
    """Inflow per river (pu of its mean): monthly means follow the 2016 hydro generation
    (NBS, S5), so each month's inflow is that month's share of the year exactly."""
    m = t.month.to_numpy()
    hours_in = np.bincount(m, minlength=13)[1:]
    shape = np.asarray(nbs.monthly_mean_mw("hydro", hours_in))[m - 1]
    out = {}
    for river in RIVERS:
        daily = np.repeat(np.exp(_ar1(rng, len(t) // 24 + 1, 0.9, 0.15)), 24)[: len(t)]
        raw = daily.copy()
        for month in range(1, 13):  # noise with mean 1 in every month
            sel = m == month
            raw[sel] /= raw[sel].mean()
        out[river] = shape * raw / shape.mean()
    return out


NET_EXPORT_GWH = 7400.0  # S12 net export 2016 (all exchanges)
HEILONGJIANG_IMPORT_GWH, INNER_MONGOLIA_NET_IMPORT_GWH = 12078.0, 948.0 - 798.0  # S12


def monthly_net_export_mw(hours_in: np.ndarray) -> np.ndarray:
    """Jilin's net export per calendar month (mean MW), D: NBS generation of the period (S5)
    plus the generation NBS does not count, minus consumption (S5). The uncounted part
    (consumption + net export − NBS generation over the year, S12: small plants and PV,
    1.7 TWh) runs flat; January and February share their period's mean."""
    gen = sum(np.asarray(nbs.monthly_mean_mw(c, hours_in)) for c in nbs.CARRIERS)
    load_gwh = np.asarray(MONTHLY_LOAD_GWH, dtype=float)
    load = load_gwh * 1e3 / hours_in
    load[:2] = load_gwh[:2].sum() * 1e3 / hours_in[:2].sum()
    other = (load_gwh.sum() + NET_EXPORT_GWH) * 1e3 / hours_in.sum() - gen @ hours_in / hours_in.sum()
    return gen + other - load


def tie_schedules_mw(t: pd.DatetimeIndex) -> dict[str, np.ndarray]:
    """Net-export schedules (MW). Liaoning: a 2.0–2.6 GW band (calibrated), S12's 19,624 GWh
    flat (2,234 MW), and the same year shaped by Jilin's monthly net export plus the fixed
    imports (`monthly_net_export_mw`, D from S5). Heilongjiang a fixed transit import of
    12,078 GWh / 8,784 h = 1,375 MW; Inner Mongolia a fixed net import of (948 − 798) GWh /
    8,784 h = 17 MW (S12: both are set by the regional dispatch centre, not by Jilin's merit
    order)."""
    n, m = len(t), t.month.to_numpy()
    hours_in = np.bincount(m, minlength=13)[1:]
    heilongjiang = -HEILONGJIANG_IMPORT_GWH * 1e3 / n
    inner_mongolia = -INNER_MONGOLIA_NET_IMPORT_GWH * 1e3 / n
    monthly = monthly_net_export_mw(hours_in)[m - 1] - heilongjiang - inner_mongolia
    return {"liaoning_min": np.full(n, 2000.0), "liaoning_max": np.full(n, 2600.0),
            "liaoning_schedule": np.full(n, monthly.mean()),
            "liaoning_schedule_monthly": monthly,
            "heilongjiang_min": np.full(n, heilongjiang),
            "heilongjiang_max": np.full(n, heilongjiang),
            "inner_mongolia_min": np.full(n, inner_mongolia),
            "inner_mongolia_max": np.full(n, inner_mongolia)}


def build(seed: int = 2016, season=("10-20", "04-06"), base_c: float = 18.0) -> xr.Dataset:
    """The 2016 profiles; `season` (MM-DD start, end) and `base_c` come from parameters.toml
    [heat] season_start, season_end, base_temperature_c."""
    rng = np.random.default_rng(seed)
    t = hours()
    load = load_mw(t, rng)
    temps = temperatures_c(t, rng)
    degree = heat_degree_hours(temps, heating_season(t, *season), base_c)
    data = {"load": (load / load.max(), "pu")}
    for z, temp in temps.items():
        data[f"temp_{z}"] = (temp, "degC")
        data[f"heat_{z}"] = (degree[z] / degree[z].max(), "pu")
    for area, cf in wind_pu(t, rng).items():
        data[f"wind_{area}"] = (cf, "pu")
    for area, cf in solar_pu(t, rng).items():
        data[f"solar_{area}"] = (cf, "pu")
    for river, q in inflow_pu(t, rng).items():
        data[f"inflow_{river}"] = (q, "pu")
    for name, mw in tie_schedules_mw(t).items():
        data[name] = (mw, "MW")
    ds = xr.Dataset({k: ("time", v, {"units": u}) for k, (v, u) in data.items()},
                    coords={"time": t})
    ds.attrs.update({"generator": "gridmodel.profiles.jilin", "seed": seed,
                     "load_peak_mw": float(load.max()), "load_mwh": float(load.sum()),
                     "time_zone": "UTC+8 (CST), period-beginning"})
    for z in temps:
        ds[f"heat_{z}"].attrs["degree_hours_peak"] = float(degree[z].max())
        ds[f"heat_{z}"].attrs["degree_hours_sum"] = float(degree[z].sum())
    return ds
