"""Economics of options, worked by hand (docs/methods.md "Economics")."""

import pytest
from tiny import Tiny

from gridmodel.economics import best_size, capital_recovery_factor, read_costs
from gridmodel.errors import InputError
from gridmodel.model.techs import SPECS

COSTS = ("option,table,column,basis,investment_cny_per_unit,lifetime_years,"
         "fixed_om_pct_per_year,source\n"
         "eboiler,electric_boiler,p_max_mw,increase,500000,20,1,test\n")


def crf(r, n):
    return r * (1 + r) ** n / ((1 + r) ** n - 1)


def boiler_case(t: Tiny):
    """Must-run unit 50 MW at 20 CNY/MWh, load 100 MW, wind 100 MW, a 30 MW_th zone served
    by a coal boiler at 100 CNY/MWh_th or an electric boiler (efficiency 1, 0 MW in the
    network)."""
    t.gen("T", p_max_mw=200, p_min_mw=50, c1=20)
    t.load("L", 100, series=[1.0])
    t.renewable("wind", "wind", 100)
    t.table("heat_zone", name="city", demand_mw_th=30.0)
    t.table("heat_boiler", name="coal", zone="city", h_max_mw_th=100.0,
            cost_cny_per_mwh_th=100.0)
    t.table("electric_boiler", name="eb", bus=0, zone="city", p_max_mw=0.0, efficiency_pu=1.0)


def test_annualised_capex_and_net_benefit_against_hand_calculation(tmp_path):
    """30 MW of electric boiler added: capex 30 × 500,000 × (crf(8 %, 20 y) + 1 %) per year,
    crf = r(1+r)^n / ((1+r)^n − 1) = 0.101852; the 1-h run carries 1/8760 of it. The boiler
    turns 30 MWh of curtailed wind into the zone's heat: operating saving 30 × 100 = 3,000
    CNY; net benefit 3,000 − capex share; levelised cost (capex share − 3,000) / 30 MWh."""
    from gridmodel.case import load_case
    from gridmodel.compare import compare_table
    from gridmodel.run import run_case

    annual = 30 * 500000 * (crf(0.08, 20) + 0.01)
    assert crf(0.08, 20) == pytest.approx(0.101852, abs=1e-6)
    assert capital_recovery_factor(0.08, 20) == pytest.approx(crf(0.08, 20))
    runs = []
    for name, extra in (("base", ""), ("eb", "[overrides.electric_boiler.eb]\np_max_mw = 30\n")):
        t = Tiny()
        boiler_case(t)
        folder = tmp_path / f"in_{name}"
        folder.mkdir()
        (folder / "costs.csv").write_text(COSTS)
        case = t.write(folder, '[model]\ncommitment = "off"\n' + extra)
        case.write_text('costs = "costs.csv"\n' + case.read_text())
        runs.append(run_case(load_case(case), tmp_path / name).summary)
    base, eb = runs
    assert base["annualised_capex_cny"] == 0
    assert eb["annualised_capex_cny"] == pytest.approx(annual)
    assert eb["capex_for_run_cny"] == pytest.approx(annual / 8760)
    assert base["operating_cost_cny"] - eb["operating_cost_cny"] == pytest.approx(3000)
    table = compare_table([tmp_path / "base", tmp_path / "eb"])
    assert table.at["net_benefit_cny", "eb"] == pytest.approx(3000 - annual / 8760)
    assert table.at["levelised_cost_cny_per_avoided_mwh", "eb"] == pytest.approx(
        (annual / 8760 - 3000) / 30)


def test_best_size_is_the_vertex_of_the_parabola_through_the_best_three():
    """Benefits 0, 3, 2 at sizes 0, 1, 2: y = −2x² + 5x, vertex x = 5/4, y = 25/8; a best
    size at the end of the range is the swept size itself."""
    assert best_size([0, 1, 2], [0, 3, 2]) == (pytest.approx(1.25), pytest.approx(3.125),
                                               "interpolated")
    assert best_size([0, 1, 2], [0, 1, 2]) == (2.0, 2.0, "swept")


@pytest.mark.parametrize("bad, key", [
    ("eboiler,electric_boiler,p_max_mw,increase,cheap,20,1,x", "row 2.investment_cny_per_unit"),
    ("eboiler,electric_boiler,p_max_mw,increase,5,0,1,x", "row 2.lifetime_years"),
    ("eboiler,electric_boiler,size,increase,5,20,1,x", "row 2.table/column"),
    ("eboiler,electric_boiler,p_max_mw,more,5,20,1,x", "row 2.basis"),
])
def test_bad_costs_rows_are_refused_naming_row_and_column(tmp_path, bad, key):
    path = tmp_path / "costs.csv"
    path.write_text(COSTS.splitlines()[0] + "\n" + bad + "\n")
    with pytest.raises(InputError) as err:
        read_costs(path, SPECS)
    assert key in str(err.value) and "costs.csv" in str(err.value)
