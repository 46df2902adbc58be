"""The Jilin 2016 system: input tables with provenance, network totals, a winter week with
KPI goldens (tolerances) and an AC power flow of its dispatch."""

from pathlib import Path

import pandas as pd
import pytest

from gridmodel.case import load_case
from gridmodel.network.ac_check import check_hour, peak_and_windy_night, slack_bus_name
from gridmodel.network.io import load_net
from gridmodel.network.jilin import build_net
from gridmodel.profiles.jilin import build as build_profiles
from gridmodel.run import solve_case

ROOT = Path(__file__).resolve().parent.parent
TABLES = ROOT / "networks" / "jilin"


@pytest.mark.parametrize("table", sorted(p.name for p in TABLES.glob("*.csv")))
def test_every_input_row_names_its_source(table):
    df = pd.read_csv(TABLES / table)
    assert "source" in df.columns
    assert df["source"].notna().all() and (df["source"].str.len() > 8).all()


def test_built_network_matches_the_2016_totals_and_the_committed_file():
    ds = build_profiles()
    net = build_net(TABLES, ds)
    thermal = (net.gen.max_p_mw * net.gen.n_units).sum()
    chp_units = set(net.chp.unit)
    chp = (net.gen.max_p_mw * net.gen.n_units)[net.gen.name.isin(chp_units)].sum()
    wind = net.sgen[net.sgen.type == "wind"].p_mw.sum()
    assert thermal == pytest.approx(17770, abs=5)  # 17.77 GW (S1)
    assert chp == pytest.approx(13100, rel=0.01)  # ≈ 13.1 GW CHP
    assert wind == pytest.approx(5050)  # 5.05 GW (S1)
    assert net.hydro.p_max_mw.sum() + net.pumped_hydro.p_out_max_mw.sum() == pytest.approx(3780)
    assert ds.attrs["load_mwh"] == pytest.approx(66.8e6, rel=0.001)  # S5 monthly sum
    committed = load_net(ROOT / "networks" / "jilin_2016.json")
    assert len(committed.gen) == len(net.gen) and len(committed.line) == len(net.line)
    assert committed.gen.max_p_mw.sum() == pytest.approx(net.gen.max_p_mw.sum())


@pytest.fixture(scope="module")
def winter_week():
    # a generous time limit per window: goldens must not depend on the machine's speed
    return solve_case(load_case(ROOT / "cases" / "jilin-2016-winter-week.toml",
                                ["solver.time_limit_s=120"]))


WINTER_WEEK_GOLDEN = {  # KPI: (value, absolute tolerance); 11–17 Jan 2016, the coldest week
    "load_mwh": (1_397_633, 1_400),
    "wind_available_mwh": (246_271, 250),
    "wind_curtailment_pct": (87.2, 6.0),
    "thermal_generation_mwh": (1_586_234, 50_000),
    "chp_heat_mwh": (2_555_815, 80_000),
    "import_mwh": (233_869, 3_000),  # fixed ties: (1,375 + 17.08) MW × 168 h
    "unserved_energy_mwh": (0.0, 1.0),
}


def test_winter_week_kpis_match_goldens(winter_week):
    s = winter_week.summary
    assert s["status"] == "optimal"
    for key, (value, tol) in WINTER_WEEK_GOLDEN.items():
        assert s[key] == pytest.approx(value, abs=tol), key
    # CHP supplies more than 70 % of winter heat (S22)
    assert s["chp_heat_mwh"] > 0.7 * s["heat_demand_mwh"]
    # rounded relaxation: every window's schedule costs at least its LP relaxation (the bound)
    windows = winter_week.info["windows"]
    assert len(windows) == 7
    assert all(w["objective_cny"] >= w["bound_cny"] - 1e-7 * abs(w["bound_cny"])
               for w in windows)


def test_ac_power_flow_converges_on_peak_and_windy_night(winter_week):
    net = load_net(ROOT / "networks" / "jilin_2016.json")
    ds = winter_week.dataset
    for index in peak_and_windy_night(ds):
        result = check_hour(net, ds, index, slack_bus_name(net))
        assert result.converged, result
        assert 0.95 <= result.vm_min_pu and result.vm_max_pu <= 1.07, result
        assert result.max_line_loading_pct < 100, result


@pytest.mark.parametrize("case_file", sorted(p.name for p in (ROOT / "cases").glob("*.toml")))
def test_every_bundled_case_validates(case_file):
    from gridmodel.model.techs import TECHNOLOGIES
    from gridmodel.network.loader import system_from_case

    system = system_from_case(load_case(ROOT / "cases" / case_file), TECHNOLOGIES)
    assert system.n_steps > 0
