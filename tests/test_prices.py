"""Prices from the fixed-commitment LP's duals, worked out by hand."""

import pytest
from tiny import Tiny, series


@pytest.mark.parametrize("mode", ["rounded", "clustered"])  # LP modes: tests below
def test_one_bus_price_is_the_marginal_units_cost(tmp_path, mode):
    """A 0-100 MW at 20, B 0-100 MW at 50 CNY/MWh; load 75 then 150 MW. Marginal unit: A,
    then B: prices 20 and 50 CNY/MWh; load-weighted mean (75·20 + 150·50) / 225 = 40. In MIP
    and rounded modes the price comes from the LP with the commitment fixed."""
    t = Tiny()
    t.gen("A", p_max_mw=100, c1=20)
    t.gen("B", p_max_mw=100, c1=50)
    t.load("L", 150, series=[0.5, 1.0])
    out = t.solve(tmp_path, f'[model]\ncommitment = "{mode}"\n')
    assert list(series(out, "bus_price_cny_per_mwh", "b0")) == pytest.approx([20, 50])
    assert out.summary["price_mean_cny_per_mwh"] == pytest.approx(40)


def test_congested_line_splits_prices_and_the_difference_times_flow_is_the_rent(tmp_path):
    """A (20 CNY/MWh) at bus 0, B (50) and 150 MW of load at bus 1, one 100 MW line. A sends
    100 MW, B makes 50: prices 20 and 50; rent (50 − 20) × 100 = 3,000 CNY/h = what the load
    pays (150 × 50) minus what the units earn (100 × 20 + 50 × 50)."""
    t = Tiny(2)
    t.line(0, 1, rating_mw=100)
    t.gen("A", bus=0, p_max_mw=200, c1=20)
    t.gen("B", bus=1, p_max_mw=200, c1=50)
    t.load("L", 150, bus=1, series=[1.0])
    out = t.solve(tmp_path, '[model]\ncommitment = "off"\n')
    price = out.dataset["bus_price_cny_per_mwh"].isel(time=0)
    p0, p1 = float(price.sel(bus="b0")), float(price.sel(bus="b1"))
    assert (p0, p1) == (pytest.approx(20), pytest.approx(50))
    flow = abs(float(out.dataset["branch_flow_mw"].isel(time=0, branch=0)))
    assert flow == pytest.approx(100)
    assert (p1 - p0) * flow == pytest.approx(150 * p1 - (100 * p0 + 50 * p1))


def test_heat_price_is_the_boiler_cost_when_boilers_are_marginal(tmp_path):
    """Zone of 100 MW_th: a CHP unit (0-200 MW at 10 CNY/MWh, c_b 0.5, c_v 0.15, 60 MW_th)
    serving 100 MW of load, and a boiler at 80 CNY/MWh_th. The CHP gives its 60 MW_th (heat
    costs it 0.15 × 10 = 1.5 CNY/MWh_th), the boiler the other 40: heat price 80 CNY/MWh_th,
    electricity price 10 CNY/MWh (the CHP unit's fuel cost)."""
    t = Tiny()
    t.gen("chp_unit", p_max_mw=200, c1=10)
    t.load("L", 100, series=[1.0])
    t.table("heat_zone", name="city", demand_mw_th=100.0)
    t.table("chp", name="chp1", unit="chp_unit", zone="city", c_b_pu=0.5, c_v_pu=0.15,
            h_max_mw_th=60.0)
    t.table("heat_boiler", name="boiler", zone="city", h_max_mw_th=200.0,
            cost_cny_per_mwh_th=80.0)
    out = t.solve(tmp_path, '[model]\ncommitment = "off"\n')
    assert list(series(out, "heat_zone_price_cny_per_mwh_th", "city")) == pytest.approx([80])
    assert list(series(out, "bus_price_cny_per_mwh", "b0")) == pytest.approx([10])
    assert out.summary["heat_price_mean_cny_per_mwh_th"] == pytest.approx(80)


def test_prices_sheet(tmp_path):
    """The workbook's Prices sheet holds the monthly mean price per bus ((20 + 50) / 2 = 35
    CNY/MWh in the one-bus case) and the sorted system prices (50, 20). (prices.png:
    test_compare_export.py::test_plot_writes_titled_png_figures.)"""
    import openpyxl
    from typer.testing import CliRunner

    from gridmodel.cli import app

    t = Tiny()
    t.gen("A", p_max_mw=100, c1=20)
    t.gen("B", p_max_mw=100, c1=50)
    t.load("L", 150, series=[0.5, 1.0])
    case = t.write(tmp_path / "in", '[model]\ncommitment = "off"\n')
    runner = CliRunner()
    assert runner.invoke(app, ["run", str(case), "--out", str(tmp_path / "r")]).exit_code == 0
    book = tmp_path / "r.xlsx"
    assert runner.invoke(app, ["export", str(tmp_path / "r"), "--xlsx", str(book)]).exit_code == 0
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(book)["Prices"].iter_rows()]
    assert rows[1] == ["month", "b0"] and rows[2] == ["2016-01", pytest.approx(35)]
    assert [r[0] for r in rows[-2:]] == [pytest.approx(50), pytest.approx(20)]


def test_export_limit_shadow_value_and_export_value_at_prices(tmp_path):
    """A 0-100 MW at 20 CNY/MWh, load 50 MW, a 30 MW link that sells at 100 CNY/MWh: it
    exports its 30 MW; the price stays 20 (A is marginal); one more MW of link would earn
    100 − 20 = 80 CNY/h (shadow value); exports valued at the bus price: 30 × 20 = 600."""
    t = Tiny()
    t.gen("A", p_max_mw=100, c1=20)
    t.load("L", 50, series=[1.0])
    t.table("export_link", name="tie", bus=0, p_export_max_mw=30.0,
            export_value_cny_per_mwh=100.0)
    out = t.solve(tmp_path, '[model]\ncommitment = "off"\n')
    assert list(series(out, "export_link_export_mw", "tie")) == pytest.approx([30])
    assert list(series(out, "bus_price_cny_per_mwh", "b0")) == pytest.approx([20])
    assert list(series(out, "export_link_limit_value_cny_per_mw", "tie")) == pytest.approx([80])
    assert out.summary["export_value_at_prices_cny"] == pytest.approx(600)
