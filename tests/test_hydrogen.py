"""Hydrogen, the worked third carrier: electrolyser, store, demand, fuel cell, by hand."""

import pytest
from tiny import Tiny, series

OFF = '[model]\ncommitment = "off"\n'


def _base(t: Tiny, demand_mw_h2: float, wind: list):
    t.gen("coal", p_max_mw=100, c1=50)
    t.load("L", 0.0, series=[0.0] * len(wind))
    t.renewable("wind", "wind", 100, series=wind)
    t.table("hydrogen_hub", name="daan", demand_mw_h2=demand_mw_h2)


def test_electrolyser_and_store_move_wind_hydrogen_to_the_hours_without_wind(tmp_path):
    """3 h, no electric load; wind 60, 0, 0 MW; a hub needs 10 MW_H2 every hour; a 40 MW
    electrolyser (0.5 MW_H2/MW) and a 100 MWh_H2 store starting empty. Hour 1: the
    electrolyser takes 40 MW of wind (20 MW_H2: 10 to the demand, 10 into the store), 20 MW
    of wind are cut with the electrolyser at its limit (`conversion_limit`); hour 2: the
    store serves the 10 MW_H2; hour 3: the electrolyser runs on coal, 20 MW × 50 = 1,000 CNY
    (the objective). Hydrogen costs 50 / 0.5 = 100 CNY/MWh_H2 in hour 3 (the store links
    hours 1–3 at that price: a MWh_H2 more in any hour is made in hour 3)."""
    t = Tiny()
    _base(t, 10.0, [0.6, 0.0, 0.0])
    t.table("electrolyser", name="ely", bus=0, hub="daan", p_max_mw=40.0, efficiency_pu=0.5)
    t.table("hydrogen_storage", name="tank", hub="daan", e_max_mwh_h2=100.0,
            p_in_max_mw_h2=50.0, p_out_max_mw_h2=50.0, initial_soc_pu=0.0, cyclic=False)
    out = t.solve(tmp_path, OFF)
    s = out.summary
    assert s["objective_cny"] == pytest.approx(1_000)
    assert list(series(out, "electrolyser_consumption_mw", "ely")) == pytest.approx([40, 0, 20])
    assert list(series(out, "hydrogen_storage_discharge_mw_h2", "tank")) == pytest.approx(
        [0, 10, 0])
    assert s["electrolyser_hydrogen_mwh"] == pytest.approx(30)
    assert s["hydrogen_demand_mwh"] == pytest.approx(30)
    assert s["unserved_hydrogen_mwh"] == pytest.approx(0)
    assert s["wind_curtailed_mwh"] == pytest.approx(20)
    assert s["curtailment_conversion_limit_mwh"] == pytest.approx(20)
    assert s["hydrogen_price_mean_cny_per_mwh_h2"] == pytest.approx(100, abs=1e-3)
    carriers = [c["name"] for c in out.info["carriers"]]
    assert carriers == ["electricity", "hydrogen"]


@pytest.mark.parametrize("mode,demand,unserved,objective", [
    ("off", 3.0, 0.0, 300.0),          # relaxed: 6 MW, the stack's minimum does not bind
    ("binary", 3.0, 3.0, 60_000.0),    # a running stack makes ≥ 5 MW_H2 > 3: it stays off
    ("binary", 6.0, 0.0, 600.0),       # 12 MW on one stack (≥ its 10 MW minimum)
    ("rounded", 6.0, 0.0, 600.0),      # the LP's 12 MW → ceil(12 / 20) = 1 stack
    ("rounded", 3.0, 3.0, 60_000.0),   # the LP's 6 MW < one stack's 10 MW minimum → 0 stacks
    ("rounded", 15.0, 0.0, 1_500.0),   # the LP's 30 MW → 2 stacks (≥ 2 × 10 MW)
])
def test_a_stacks_minimum_load_binds_only_with_integer_commitment(tmp_path, mode, demand,
                                                                  unserved, objective):
    """1 h, coal at 50 CNY/MWh, 2 stacks of 20 MW with a 50 % minimum load (10 MW, 5 MW_H2
    at 0.5), no store: a demand of 3 MW_H2 cannot be met by a running stack (hydrogen has
    no excess slack), so with integer stacks it is unserved at 20,000 CNY/MWh_H2 (60,000
    CNY); relaxed, 6 MW cost 300 CNY; 6 MW_H2 need 12 MW (600 CNY). Rounded: the stacks
    that carry the relaxation's power, one fewer where their minimum would exceed it."""
    t = Tiny()
    _base(t, demand, [0.0])
    t.table("electrolyser", name="ely", bus=0, hub="daan", p_max_mw=40.0, efficiency_pu=0.5,
            min_load_pu=0.5, n_units=2)
    out = t.solve(tmp_path, f'[model]\ncommitment = "{mode}"\n')
    assert out.summary["objective_cny"] == pytest.approx(objective)
    assert out.summary["unserved_hydrogen_mwh"] == pytest.approx(unserved, abs=1e-9)


def test_a_fuel_cell_turns_stored_hydrogen_back_into_power(tmp_path):
    """2 h, load 0 then 10 MW; wind 40 MW then 0; coal at 50 CNY/MWh; no hydrogen demand.
    Hour 1: a 40 MW electrolyser (0.5) makes 20 MW_H2 from wind into the store; hour 2: a
    fuel cell (0.5 MW/MW_H2) serves the 10 MW load from 20 MW_H2: no coal, objective 0
    (the store ends where it began: the 20 MWh_H2 it was given at the start)."""
    t = Tiny()
    t.gen("coal", p_max_mw=100, c1=50)
    t.load("L", 10.0, series=[0.0, 1.0])
    t.renewable("wind", "wind", 100, series=[0.4, 0.0])
    t.table("hydrogen_hub", name="hub")
    t.table("electrolyser", name="ely", bus=0, hub="hub", p_max_mw=40.0, efficiency_pu=0.5)
    t.table("hydrogen_storage", name="tank", hub="hub", e_max_mwh_h2=40.0,
            p_in_max_mw_h2=40.0, p_out_max_mw_h2=40.0, initial_soc_pu=0.5, cyclic=True)
    t.table("fuel_cell", name="fc", bus=0, hub="hub", p_max_mw=20.0, efficiency_pu=0.5)
    out = t.solve(tmp_path, OFF)
    assert out.summary["objective_cny"] == pytest.approx(0, abs=1e-6)
    assert list(series(out, "fuel_cell_generation_mw", "fc")) == pytest.approx([0, 10])
    assert out.summary["fuel_cell_hydrogen_mwh"] == pytest.approx(20)
    assert out.summary["thermal_generation_mwh"] == pytest.approx(0, abs=1e-6)


def test_hydrogen_at_half_hour_steps_counts_energy_once(tmp_path):
    """The first test's system at ½-h steps (6 steps, same MW each hour): every energy key
    is the same MWh (a MW_H2 series summed without dt_h used to double it)."""
    t = Tiny()
    _base(t, 10.0, [0.6, 0.6, 0.0, 0.0, 0.0, 0.0])
    t.table("electrolyser", name="ely", bus=0, hub="daan", p_max_mw=40.0, efficiency_pu=0.5)
    t.table("hydrogen_storage", name="tank", hub="daan", e_max_mwh_h2=100.0,
            p_in_max_mw_h2=50.0, p_out_max_mw_h2=50.0, initial_soc_pu=0.0, cyclic=False)
    out = t.solve(tmp_path, OFF, dt_h=0.5)
    assert out.summary["electrolyser_hydrogen_mwh"] == pytest.approx(30)
    assert out.summary["hydrogen_demand_mwh"] == pytest.approx(30)
    assert out.summary["objective_cny"] == pytest.approx(1_000)


def test_the_ac_check_draws_a_case_added_electrolyser_at_its_bus(tmp_path):
    """An electrolyser that only the case file adds ([assets.electrolyser.ely] at bus b1, not
    in the network JSON) draws its 40 MW at b1 in the AC check's net: one sgen of −40 MW."""
    from gridmodel.network.ac_check import dispatch_net, slack_bus_name
    from gridmodel.network.io import load_net

    t = Tiny(2)
    t.line(0, 1, rating_mw=500)
    _base(t, 20.0, [0.0])
    case = ('[model]\ncommitment = "off"\n[assets.electrolyser.ely]\nbus = "b1"\n'
            'hub = "daan"\np_max_mw = 40.0\nefficiency_pu = 0.5\n')
    out = t.solve(tmp_path, case)
    assert out.summary["electrolyser_consumption_mwh"] == pytest.approx(40)
    net = load_net(tmp_path / "net.json")
    ac = dispatch_net(net, out.dataset, 0, slack_bus_name(net))
    rows = ac.sgen[ac.sgen["name"] == "electrolyser_ely"]
    assert list(rows["p_mw"]) == pytest.approx([-40.0])
    assert ac.bus.at[int(rows.iloc[0]["bus"]), "name"] == "b1"


@pytest.mark.parametrize("extra,key", [
    ('[assets.electrolyser.x]\nhub = "daan"\np_max_mw = 10.0\n', "assets.electrolyser.x.bus"),
    ('[assets.electrolyser.x]\nbus = "b0"\nhub = "nowhere"\np_max_mw = 10.0\n',
     "assets.electrolyser.x.hub"),
    (('[assets.hydrogen_storage.t]\nhub = "daan"\ne_max_mwh_h2 = -1.0\n'
      'p_in_max_mw_h2 = 1.0\np_out_max_mw_h2 = 1.0\n'), "hydrogen_storage.t.e_max_mwh_h2"),
])
def test_a_bad_hydrogen_asset_in_a_case_is_one_line_naming_its_key(tmp_path, extra, key):
    """A case-added electrolyser without its bus, one naming an unknown hub, a store of
    negative size: one line naming the key (exit 2 on the command line)."""
    from typer.testing import CliRunner

    from gridmodel.cli import app

    t = Tiny()
    _base(t, 5.0, [0.5])
    result = CliRunner().invoke(app, ["validate", str(t.write(tmp_path, OFF + extra))])
    assert result.exit_code == 2 and key in result.output
    assert "Traceback" not in result.output
