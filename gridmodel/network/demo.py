"""The bundled demo: a three-area winter system in the shape of western/central Jilin.

Rebuild with `python -m gridmodel.network.demo networks/`. Figures are rounded from
../shared/reference/jilin-2016.md where noted, otherwise documented assumptions (see
networks/README.md); the demo is a teaching case, not the calibrated Jilin model.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandapower as pp
import pandas as pd
import xarray as xr

from .io import save_net

HOURS = 48


def build_net():
    net = pp.create_empty_network(name="demo-3area")
    west = pp.create_bus(net, 500, name="west")      # Baicheng/Songyuan wind area
    centre = pp.create_bus(net, 500, name="centre")  # Changchun load centre
    south = pp.create_bus(net, 500, name="south")    # tie towards Liaoning
    for a, b in ((west, centre), (centre, south), (west, south)):
        # 500 kV line, x ≈ 0.28 Ω/km, 200 km; rating 2 kA ≈ 1,732 MVA (assumption)
        line = pp.create_line_from_parameters(net, a, b, 200, 0.02, 0.28, 12, 2.0)
        net.line.loc[line, "max_loading_percent"] = 100.0
    units = [  # name, bus, p_min, p_max, c1 CNY/MWh, no-load CNY/h, min up/down h, slack
        ("coal_centre", centre, 300, 660, 230.0, 12000.0, 8.0, True),
        ("coal_south", south, 150, 330, 245.0, 6500.0, 6.0, False),
    ]
    for name, bus, pmin, pmax, c1, c0, ud, slack in units:
        g = pp.create_gen(net, bus, pmin, name=name, min_p_mw=pmin, max_p_mw=pmax, slack=slack)
        pp.create_poly_cost(net, g, "gen", cp1_eur_per_mw=c1, cp0_eur=c0)
        for col, value in (("min_up_h", ud), ("min_down_h", ud), ("ramp_up_mw_per_h", pmax * 0.6),
                           ("ramp_down_mw_per_h", pmax * 0.6), ("startup_cost_cny", 40 * pmax),
                           ("co2_t_per_mwh", 0.85), ("coal_t_per_mwh", 0.3055)):
            net.gen.loc[g, col] = value
    w = pp.create_sgen(net, west, 900, name="wind_west", type="wind")
    s = pp.create_sgen(net, centre, 50, name="solar_centre", type="solar")
    net.sgen.loc[[w, s], "profile"] = ["wind_west", "solar_centre"]
    pp.create_load(net, centre, 700, name="load_centre")
    pp.create_load(net, west, 150, name="load_west")
    net.load["profile"] = "load"
    _add_heat(net, centre)
    net["export_link"] = pd.DataFrame([{
        "name": "tie_liaoning", "bus": south, "p_export_max_mw": 200.0, "p_import_max_mw": 200.0,
        "loss_pu": 0.02, "export_value_cny_per_mwh": 200.0, "import_price_cny_per_mwh": 400.0}])
    return net


def _add_heat(net, centre) -> None:
    """Changchun district heating: coal_centre is an extraction CHP unit; a heat-only boiler
    covers the rest; heat storage and an electric boiler are present at size 0 so scenario
    cases can size them with overrides."""
    net["heat_zone"] = pd.DataFrame([{"name": "changchun", "demand_mw_th": 700.0,
                                      "demand_profile": "heat_changchun",
                                      "temperature_profile": "temp_changchun"}])
    net["chp"] = pd.DataFrame([{"name": "coal_centre_heat", "unit": "coal_centre",
                                "zone": "changchun", "mode": "extraction", "c_b_pu": 0.75,
                                "c_v_pu": 0.15, "h_max_mw_th": 600.0}])
    net["heat_boiler"] = pd.DataFrame([{"name": "hob_changchun", "zone": "changchun",
                                        "h_max_mw_th": 200.0, "cost_cny_per_mwh_th": 250.0,
                                        "coal_t_per_mwh_th": 0.1536, "co2_t_per_mwh_th": 0.425}])
    net["heat_storage"] = pd.DataFrame([{"name": "acc_changchun", "zone": "changchun",
                                         "e_max_mwh_th": 0.0, "p_in_max_mw_th": 0.0,
                                         "p_out_max_mw_th": 0.0, "loss_per_h": 0.005}])
    net["electric_boiler"] = pd.DataFrame([{"name": "eb_changchun", "bus": centre,
                                            "zone": "changchun", "p_max_mw": 0.0}])


def build_profiles(seed: int = 2016) -> xr.Dataset:
    rng = np.random.default_rng(seed)
    times = pd.date_range("2016-01-12", periods=HOURS, freq="h")
    hour = times.hour.to_numpy()
    load = 0.85 + 0.12 * np.sin((hour - 11) / 24 * 2 * np.pi) + 0.03 * (hour >= 17) * (hour <= 21)
    wind = np.clip(0.45 + 0.25 * np.cos((hour - 2) / 24 * 2 * np.pi)
                   + np.cumsum(rng.normal(0, 0.04, HOURS)), 0, 1)
    solar = np.clip(np.sin((hour - 7) / 10 * np.pi), 0, None) * 0.8
    temp = -15.0 + 5.0 * np.sin((hour - 9) / 24 * 2 * np.pi)  # January mean −15 °C (normals)
    heat = (18.0 - temp) / (18.0 + 20.0)  # degree-hour heat demand, pu of demand at −20 °C
    return xr.Dataset(
        {"load": ("time", load / load.max(), {"units": "pu"}),
         "temp_changchun": ("time", temp, {"units": "degC"}),
         "heat_changchun": ("time", heat, {"units": "pu"}),
         "wind_west": ("time", wind, {"units": "pu"}),
         "solar_centre": ("time", solar, {"units": "pu"})},
        coords={"time": times}, attrs={"generator": "gridmodel.network.demo", "seed": seed})


def write(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    save_net(build_net(), folder / "demo.json")
    build_profiles().to_netcdf(folder / "demo_profiles.nc", engine="h5netcdf")


if __name__ == "__main__":  # pragma: no cover
    write(Path(sys.argv[1] if len(sys.argv) > 1 else "networks"))
