"""Builder of the Jilin 2016 pandapower network from the readable tables in networks/jilin/.

Rebuild (network and profiles): `gridmodel build-jilin` (or `python -m gridmodel.network.jilin`).
Every row of the input tables names its source or says "assumption" with a reason.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandapower as pp
import pandas as pd

from ..errors import NetworkError
from ..profiles import jilin as profiles
from . import jilin_tables
from .io import save_net

LINE_R_OHM_PER_KM, LINE_X_OHM_PER_KM, LINE_C_NF_PER_KM = 0.018, 0.28, 13.0  # 4×LGJ-400, 500 kV
LINE_MAX_I_KA = 2.0  # per circuit ≈ 1,730 MVA (assumption: typical 500 kV thermal rating)
TCE_PER_MWH = 0.1229  # t standard coal per MWh of energy (physical equivalent, GB/T 2589)


NOT_NETWORK = ("costs", "years")  # investment costs (economics.py), the year table (years.py)


def read_tables(folder: Path) -> dict:
    """The input tables, each checked (jilin_tables.TABLES) before anything is built."""
    return jilin_tables.read_tables(folder, NOT_NETWORK)


def _size_class(unit_mw: float) -> str:
    return "large" if unit_mw >= 600 else "medium" if unit_mw >= 300 else \
        "small" if unit_mw >= 100 else "tiny"


def _add_grid(net, t) -> dict[str, int]:
    bus = {r.name: pp.create_bus(net, r.vn_kv, name=r.name) for r in t["buses"].itertuples()}
    for r in t["lines"].itertuples():
        idx = pp.create_line_from_parameters(
            net, bus[r.from_bus], bus[r.to_bus], r.length_km, LINE_R_OHM_PER_KM,
            LINE_X_OHM_PER_KM, LINE_C_NF_PER_KM, LINE_MAX_I_KA, parallel=int(r.circuits),
            name=f"{r.from_bus}-{r.to_bus}")
        net.line.loc[idx, "max_loading_percent"] = 100.0
        net.line.loc[idx, "stability_rated"] = bool(r.stability_rated)
    return bus


def _heat_number(heat: dict, key: str, default: float | None, high: float, unit: str,
                 low: float = 0.0) -> float:
    """parameters.toml [heat] `key`, a number in [low, high]; required when default is None."""
    value = heat.get(key, default)
    if value is None:
        raise NetworkError("networks/jilin/parameters.toml", f"heat.{key}", "missing",
                           f"number in [{low:g}, {high:g}] {unit}")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise NetworkError("networks/jilin/parameters.toml", f"heat.{key}",
                           f"{value!r}", f"number in [{low:g}, {high:g}] {unit}")
    return float(value)


def _steam_mw_th(heat: dict) -> float:
    """parameters.toml [heat] process_steam_mw_th (0 when absent): MW_th every hour."""
    return _heat_number(heat, "process_steam_mw_th", 0.0, 1e6, "MW_th")


def boiler_costs(heat: dict, coal: dict) -> dict:
    """Heat-only boilers' cost, coal and CO2 per MWh_th: fuel at the coal price through the
    boilers' efficiency, plus their non-fuel operating cost (parameters.toml [heat])."""
    efficiency_pu = _heat_number(heat, "boiler_efficiency_pu", None, 1.0, "pu", low=0.05)
    om_cny_per_mwh_th = _heat_number(heat, "boiler_om_cny_per_mwh_th", None, 1e4, "CNY/MWh_th")
    coal_t_per_mwh_th = TCE_PER_MWH / efficiency_pu
    return {"cost_cny_per_mwh_th": coal_t_per_mwh_th * coal["coal_price_cny_per_tce"]
            + om_cny_per_mwh_th,
            "coal_t_per_mwh_th": coal_t_per_mwh_th,
            "co2_t_per_mwh_th": coal_t_per_mwh_th * coal["co2_t_per_tce"]}


def _number_or_text(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def _thermal_columns(r, coal: dict) -> dict:
    full_cost = r.heat_rate_gce_per_kwh / 1000 * coal["coal_price_cny_per_tce"]  # CNY/MWh
    up, down = coal["min_up_down_h"][_size_class(r.unit_mw)]
    return {
        "kind": "coal_chp" if r.chp else "coal", "n_units": int(r.n_units),
        "min_up_h": float(up), "min_down_h": float(down),
        "ramp_up_mw_per_h": coal["ramp_pu_per_h"] * r.unit_mw,
        "ramp_down_mw_per_h": coal["ramp_pu_per_h"] * r.unit_mw,
        "startup_categories": [[0.0, coal["startup_cost_cny_per_mw_hot"] * r.unit_mw],
                               [float(coal["cold_after_h"]),
                                coal["startup_cost_cny_per_mw_cold"] * r.unit_mw]],
        "co2_t_per_mwh": r.heat_rate_gce_per_kwh / 1000 * coal["co2_t_per_tce"],
        "coal_t_per_mwh": r.heat_rate_gce_per_kwh / 1000,
        "initial_on": 1.0, "initial_time_in_state_h": 1.0e4,
        "_c0": coal["no_load_share"] * full_cost * r.unit_mw,
        "_c1": (1 - coal["no_load_share"]) * full_cost,
    }


def _add_thermal(net, t, bus) -> None:
    coal, chp = t["parameters"]["coal"], t["parameters"]["chp"]
    chp_rows = []
    for i, r in enumerate(t["thermal"].itertuples()):
        g = pp.create_gen(net, bus[r.bus], r.unit_mw * coal["min_load_pu"], name=r.plant,
                          max_p_mw=r.unit_mw, min_p_mw=coal["min_load_pu"] * r.unit_mw,
                          slack=(i == 0), vm_pu=1.02)
        cols = _thermal_columns(r, coal)
        pp.create_poly_cost(net, g, "gen", cp1_eur_per_mw=cols.pop("_c1"),
                            cp0_eur=cols.pop("_c0"))
        for key, value in cols.items():
            if key not in net.gen.columns:
                net.gen[key] = pd.Series([None] * len(net.gen), index=net.gen.index,
                                         dtype=object)
            net.gen.at[g, key] = value
        if r.chp:
            chp_rows.append({"name": f"{r.plant}_heat", "unit": r.plant, "zone": r.bus,
                             "mode": "extraction", "c_b_pu": chp["c_b_pu"],
                             "c_v_pu": chp["c_v_pu"],
                             "h_max_mw_th": chp["h_max_per_p_max"] * r.unit_mw})
    for col in ("min_up_h", "min_down_h", "ramp_up_mw_per_h", "ramp_down_mw_per_h",
                "co2_t_per_mwh", "coal_t_per_mwh", "initial_on", "initial_time_in_state_h"):
        net.gen[col] = net.gen[col].astype(float)
    net.gen["n_units"] = net.gen["n_units"].astype(int)
    net["chp"] = pd.DataFrame(chp_rows)


def _add_renewables_and_load(net, t, bus, peak_mw) -> None:
    for r in t["renewables"].itertuples():
        g = pp.create_sgen(net, bus[r.bus], r.p_max_mw, name=r.name, type=r.kind)
        net.sgen.loc[g, "profile"] = r.profile
    for r in t["buses"][t["buses"].kind == "prefecture"].itertuples():
        g = pp.create_load(net, bus[r.name], peak_mw * r.load_share_pct / 100, name=f"load_{r.name}",
                           q_mvar=0.2 * peak_mw * r.load_share_pct / 100)
        net.load.loc[g, "profile"] = "load"


def _add_hydro_and_storage(net, t, bus) -> None:
    hydro = t["hydro"].copy()
    hydro["bus"] = hydro["bus"].map(bus)
    hydro["initial_soc_pu"] = 0.5
    net["hydro"] = hydro.drop(columns=["source"])
    store = t["storage"].copy()
    store["bus"] = store["bus"].map(bus)
    store["initial_soc_pu"] = 0.5
    pumped = store[store["kind"] == "pumped_hydro"]
    net["pumped_hydro"] = pumped.drop(columns=["source", "kind"]).reset_index(drop=True)
    for r in store[store["kind"] == "battery"].itertuples():
        idx = pp.create_storage(net, r.bus, 0.0, float(r.e_max_mwh), name=r.name,
                                max_p_mw=float(r.p_in_max_mw), min_p_mw=-float(r.p_out_max_mw))
        net.storage.loc[idx, "initial_soc_pu"] = 0.5


def _add_flexible_loads(net, t, bus) -> None:
    flex = t["flexible_loads"].copy()
    flex["bus"] = flex["bus"].map(bus)
    net["flexible_load"] = flex.drop(columns=["source"]).astype(
        {c: float for c in ("p_up_max_mw", "p_down_max_mw", "period_h",
                            "max_hours_per_period_h", "cost_cny_per_mwh")})


def _add_embedded_generation(net, t, bus) -> None:
    """Small plants outside dispatch (optional table), checked against their technology's
    column rules."""
    from ..model.techs import SPECS

    if "embedded_generation" not in t:
        return
    where = "networks/jilin/embedded_generation.csv"
    small = t["embedded_generation"].fillna({"profile": ""}).set_index("name", drop=False)
    small["p_mw"] = small["p_mw"].map(_number_or_text)  # one bad cell makes a text column
    SPECS["embedded_generation"].check(small, where)
    unknown = small.index[~small["bus"].isin(list(bus))]
    if len(unknown):
        raise NetworkError(where, f"embedded_generation.{unknown[0]}.bus",
                           repr(small.at[unknown[0], "bus"]), "a bus of buses.csv")
    small["bus"] = small["bus"].map(bus)
    net["embedded_generation"] = small.reset_index(drop=True).drop(columns=["source"]).astype(
        {"p_mw": float})


def _add_contracts(net, t) -> None:
    contracts = t["contracts"].drop(columns=["source"]).fillna({"delivery_curve_pu": "",
                                                                "renewable_assets": ""})
    net["export_contract"] = contracts.astype({c: float for c in contracts.columns if c.endswith(
        ("_mwh", "_mw_per_h", "_cny_per_mwh", "_pu")) and c != "delivery_curve_pu"})


def _chp_heat_mw_th(net) -> pd.Series:
    """CHP extraction heat capacity per zone (MW_th): h_max per unit × units."""
    units = net.gen.set_index("name")["n_units"].fillna(1)
    chp = net["chp"]
    return (chp["h_max_mw_th"] * chp["unit"].map(units)).groupby(chp["zone"]).sum()


def boiler_capacity_mw_th(heat: dict, share: float, chp_mw_th: float, listed_mw_th: float):
    """Heat-only boilers of a zone: the zone's share of the heating capacity that the
    statistics imply for the season's heat (S35: 23.2 GW_th for 44.6 TWh_th in 2008,
    ≈ 520 MW_th per TWh_th) minus its CHP extraction capacity; at least the listed plants."""
    total = heat["capacity_mw_th_per_twh_th"] * heat["season_energy_mwh_th"] / 1e6
    return max(float(listed_mw_th), total * share - chp_mw_th)


def _add_heat(net, t, bus, ds) -> None:
    heat = t["parameters"]["heat"]
    shares = t["buses"].set_index("name")["heat_share_pct"] / 100
    chp_heat = _chp_heat_mw_th(net)
    costs = boiler_costs(heat, t["parameters"]["coal"])
    zones, boilers = [], []
    for r in t["heat"].itertuples():
        attrs = ds[f"heat_{r.name}"].attrs
        zone_mwh = heat["season_energy_mwh_th"] * shares[r.name]
        peak = zone_mwh / attrs["degree_hours_sum"] * attrs["degree_hours_peak"]
        zones.append({"name": r.name, "demand_mw_th": peak, "demand_profile": f"heat_{r.name}",
                      "temperature_profile": f"temp_{r.name}",
                      "base_demand_mw_th": _steam_mw_th(heat) * shares[r.name]})
        boilers.append({"name": f"boilers_{r.name}", "zone": r.name,
                        "h_max_mw_th": boiler_capacity_mw_th(
                            heat, shares[r.name], float(chp_heat.get(r.name, 0.0)),
                            r.boiler_h_max_mw_th),
                        **costs})
    net["heat_zone"] = pd.DataFrame(zones)
    net["heat_boiler"] = pd.DataFrame(boilers)
    # scenario slots, size 0 in the 2016 base: heat accumulators and electric boilers per zone
    net["heat_storage"] = pd.DataFrame([{
        "name": f"heat_storage_{z['name']}", "zone": z["name"], "e_max_mwh_th": 0.0,
        "p_in_max_mw_th": 0.0, "p_out_max_mw_th": 0.0, "loss_per_h": 0.005}
        for z in zones])
    net["electric_boiler"] = pd.DataFrame([{
        "name": f"electric_boiler_{z['name']}", "bus": bus[z["name"]], "zone": z["name"],
        "p_max_mw": 0.0, "efficiency_pu": 0.99} for z in zones])


def _add_ties(net, t, bus) -> None:
    rows = []
    for r in t["ties"].itertuples():
        sched = r.schedule if isinstance(r.schedule, str) else ""
        rows.append({"name": r.name, "bus": bus[r.bus], "p_export_max_mw": float(r.p_export_max_mw),
                     "p_import_max_mw": float(r.p_import_max_mw), "loss_pu": 0.0,
                     "export_value_cny_per_mwh": float(r.export_value_cny_per_mwh),
                     "import_price_cny_per_mwh": float(r.import_price_cny_per_mwh),
                     "schedule_min_profile": f"{sched}_min" if sched else "",
                     "schedule_max_profile": f"{sched}_max" if sched else ""})
    net["export_link"] = pd.DataFrame(rows)


def _add_peak_regulation(net, t) -> None:
    """The Northeast peak-regulation market's tiers (peak_regulation.csv); a case switches
    the market on with `[technologies] peak_regulation = true`."""
    if "peak_regulation" in t:
        net["peak_regulation"] = t["peak_regulation"].drop(columns=["source"]).reset_index(
            drop=True)


def build_net(folder: Path, ds, tables: dict | None = None) -> pp.pandapowerNet:
    t = tables or read_tables(folder)
    net = pp.create_empty_network(name="jilin-2016")
    bus = _add_grid(net, t)
    _add_thermal(net, t, bus)
    _add_renewables_and_load(net, t, bus, ds.attrs["load_peak_mw"])
    _add_hydro_and_storage(net, t, bus)
    _add_heat(net, t, bus, ds)
    _add_ties(net, t, bus)
    _add_flexible_loads(net, t, bus)
    _add_embedded_generation(net, t, bus)
    _add_contracts(net, t)
    _add_peak_regulation(net, t)
    net["ac_slack_bus"] = "liaoning"  # the external Liaoning grid balances AC-check losses
    return net


def season_of(heat: dict) -> tuple[tuple[str, str], float]:
    """((start, end) as MM-DD, base temperature °C) of the heating season, parameters.toml."""
    where = "networks/jilin/parameters.toml"
    days = []
    for key in ("season_start", "season_end"):
        text = heat[key]
        if not (isinstance(text, str) and re.fullmatch(r"(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])",
                                                       text)):
            raise NetworkError(where, f"heat.{key}", f"{text!r}", "a day as MM-DD, e.g. 10-20")
        days.append(text)
    base = heat["base_temperature_c"]
    if not -10.0 <= base <= 30.0:
        raise NetworkError(where, "heat.base_temperature_c", f"{base!r}", "°C in [-10, 30]")
    return (days[0], days[1]), float(base)


BASE_SEED = 2016  # the seed of the committed profiles, whose heat sets the network's scale


def same_energy(ds, reference):
    """Heat and load series rescaled to the reference year's energy: the network's
    `demand_mw_th` and load `p_mw` are the reference's peaks and each series is pu of its own
    year's peak, so another weather year would otherwise bring another heat or load energy (a
    calibration input; the load's monthly energies are the statistics' in every year)."""
    out = ds.copy()
    for name in [v for v in ds.data_vars if v.startswith("heat_") or v == "load"]:
        factor = float(reference[name].sum()) / float(ds[name].sum())
        out[name] = (ds[name] * factor).assign_attrs(ds[name].attrs)
    return out


def write_weather_years(networks: Path, seed: int, count: int) -> list[Path]:
    """Profile files of `count` weather years (seeds seed … seed + count − 1) beside the
    network, each to a temporary name and renamed: networks/weather/jilin_2016_seed<S>.nc.
    Every year meets the same monthly and annual targets; only the hourly weather differs."""
    if not 1 <= count <= 1000:
        raise NetworkError(networks, "--weather-years", str(count), "a count from 1 to 1000")
    if not (0 <= seed and seed + count <= 2**32):
        raise NetworkError(networks, "--seed", str(seed), "a whole number 0 … 4294967295")
    heat = read_tables(networks / "jilin")["parameters"]["heat"]
    reference = profiles.build(BASE_SEED, *season_of(heat))  # the network's heat, load scale
    folder = networks / "weather"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for s in range(seed, seed + count):
        path = folder / f"jilin_2016_seed{s}.nc"
        if path.is_symlink():
            raise NetworkError(path, "(file)", "is a link", "a regular file or none")
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            same_energy(profiles.build(s, *season_of(heat)), reference).to_netcdf(
                tmp, engine="h5netcdf")
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        paths.append(path)
    return paths


def write(networks: Path = Path("networks"), seed: int = 2016) -> tuple[Path, Path]:
    """Build both files, then move them into place together: a failed build leaves the
    earlier pair as it was, and a target that is a link (out of --networks or not) is
    refused, never followed."""
    net_path, prof_path = networks / "jilin_2016.json", networks / "jilin_2016_profiles.nc"
    for path in (net_path, prof_path):
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise NetworkError(path, "(file)", "is a link or not a regular file; build-jilin "
                               "writes only regular files inside --networks",
                               "a regular file or none")
    if not (0 <= seed < 2**32):
        raise NetworkError(networks, "--seed", str(seed), "a whole number 0 … 4294967295")
    tables = read_tables(networks / "jilin")
    ds = profiles.build(seed, *season_of(tables["parameters"]["heat"]))
    net = build_net(networks / "jilin", ds, tables)
    tmp_net, tmp_prof = (p.with_name(f".{p.name}.{os.getpid()}.tmp") for p in (net_path,
                                                                               prof_path))
    try:
        save_net(net, tmp_net)
        ds.to_netcdf(tmp_prof, engine="h5netcdf")
        os.replace(tmp_net, net_path)
        os.replace(tmp_prof, prof_path)
    finally:
        tmp_net.unlink(missing_ok=True)
        tmp_prof.unlink(missing_ok=True)
    return net_path, prof_path


if __name__ == "__main__":  # pragma: no cover
    import sys

    print(*write(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("networks")))
