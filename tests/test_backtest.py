"""Back-test years: cases built from the year table only, the resource reshaped by hand-known
exponents, and the year's bars."""

import numpy as np
import pandas as pd
import pytest
from test_calibration import _year

from gridmodel import backtest
from gridmodel.years import exponent_for_hours, overrides

ROWS = [  # (year, figure, value, role)
    (2016, "wind_capacity_mean_gw", 5.0, "input"), (2017, "wind_capacity_mean_gw", 5.0, "input"),
    (2016, "pv_capacity_mean_gw", 0.07, "input"), (2017, "pv_capacity_mean_gw", 0.07, "input"),
    (2016, "thermal_capacity_gw", 17.77, "input"), (2017, "thermal_capacity_gw", 17.77, "input"),
    (2016, "hydro_capacity_gw", 3.78, "input"), (2017, "hydro_capacity_gw", 3.78, "input"),
    (2016, "consumption_twh", 66.8, "input"), (2017, "consumption_twh", 73.48, "input"),
    (2016, "central_heat_twh_th", 76.07, "input"), (2020, "central_heat_twh_th", 76.07, "input"),
    (2016, "liaoning_export_twh", 19.62, "input"), (2017, "liaoning_export_twh", 19.62, "input"),
    (2016, "heilongjiang_import_twh", 12.08, "input"),
    (2016, "inner_mongolia_export_twh", 0.80, "input"),
    (2016, "inner_mongolia_import_twh", 0.95, "input"),
    (2021, "wind_resource_h", 8760 * 0.75, "input"),
    (2017, "wind_generation_twh", 99.0, "outcome"),   # an outcome: never an input
]


def _years():
    frame = pd.DataFrame(ROWS, columns=["year", "figure", "value", "role"])
    return frame.set_index(["year", "figure"]).sort_index()


def test_the_exponent_reaches_the_hours_without_passing_one():
    """p = 0.5 every hour; a resource of 75 % of the hours: 1 − 0.5^k = 0.75 → k = 2."""
    k = exponent_for_hours([np.full(8760, 0.5)], [1.0], 0.75 * 8760, 8760)
    assert k == pytest.approx(2.0, abs=1e-9)
    shaped = 1 - (1 - np.linspace(0, 1, 11)) ** k
    assert shaped.max() <= 1.0 and shaped.min() >= 0.0


def test_a_year_case_differs_from_2016_only_in_what_its_table_says():
    """2017 in this table: consumption +10 % (73.48 / 66.8), the Heilongjiang and Inner
    Mongolia flows not given (the 2016 ones carry on), everything else as 2016; the resource
    of 2021 (75 % of the hours) on a flat 0.5 profile gives k = 2. So the case scales load
    by 1.1, sets the exponent 2, and every other factor is 1; the 2017 wind generation (an
    outcome) changes nothing."""
    renewables = pd.DataFrame({"kind": ["wind", "solar"], "p_max_mw": [100.0, 70.0]},
                              index=["w", "s"])
    items = {o.key: o.value for o in overrides(_years(), 2017, renewables,
                                               {"w": np.full(8784, 0.5)})}
    assert items.pop("load.*.scale") == pytest.approx(1.1)
    # the flat profile's hours are counted over the 2017 year (8,760 h)
    assert items.pop("renewable.w.availability_exponent_pu") == pytest.approx(2.0, abs=1e-5)
    assert items.pop("renewable.s.scale") == pytest.approx(0.07 * 1000 / 70)
    hydro = items.pop("hydro.*.scale")
    assert hydro == pytest.approx((3.78 - 0.30) / 3.48)
    assert all(v == pytest.approx(1.0) for v in items.values()), items


def test_the_bars_of_a_year():
    """A hand-made year (wind 100 MW available, 45 MW used in Q1, 80 MW after): Q1–Q3
    curtailment = 1 − (45·91 + 80·183) / (100·274) = 33.6 %, against 2017's 19 % ± 5 pp:
    missed; wind used 6.5 TWh against 6.6 TWh: met; unserved heat 30 GWh: missed."""
    years = pd.DataFrame([(2017, "wind_curtailment_q1_q3_pct", 19.0, "outcome"),
                          (2017, "wind_generation_twh", 6.6, "outcome")],
                         columns=["year", "figure", "value", "role"]).set_index(
        ["year", "figure"])
    summary = {"wind_used_mwh": 6.5e6 * 8784 / 8760, "thermal_generation_mwh": 5e7,
               "export_mwh": 0.0, "import_mwh": 0.0, "load_mwh": 6e7,
               "unserved_heat_mwh": 30e3}
    ds = _year()
    ds.attrs["dt_h"] = 24.0  # daily steps: 366 × 24 = 8,784 h
    text, met = backtest.report(ds, summary, years, 2017)
    q = 100 * (1 - (45 * 91 + 80 * 183) / (100 * 274))
    assert f"{q:.2f} %" in text and "| NO |" in text and not met
    assert "| wind used | 6.50 TWh | 6.6 TWh | ± 10 % | yes |" in text


def test_the_committed_year_cases_are_what_the_table_builds(tmp_path):
    """cases/jilin-YYYY.toml are build-years' output from networks/jilin/years.csv: a row
    changed without a rebuild fails here. Every override names the row it comes from."""
    import shutil

    from gridmodel.years import write_year_cases

    root = __import__("pathlib").Path(__file__).resolve().parents[1]
    cases = tmp_path / "cases"
    cases.mkdir()
    shutil.copy(root / "cases" / "jilin-2016.toml", cases)
    text = (cases / "jilin-2016.toml").read_text().replace('"../networks/', f'"{root}/networks/')
    (cases / "jilin-2016.toml").write_text(text)
    written = write_year_cases(root / "networks" / "jilin" / "years.csv", cases)
    assert [p.name for p in written] == [f"jilin-{y}.toml" for y in range(2017, 2023)]
    for path in written:
        built = path.read_text()
        assert built == (root / "cases" / path.name).read_text(), path.name
        assert "wind_generation" not in built and "curtailment_" not in built  # outcomes


def test_the_heating_capacity_grows_with_the_heat():
    """Heat grows 21 % from 2016 to 2017 (the 2020 figure set to 1.21⁴ × 2016's): a zone
    with 300 MW_th of CHP heat and 100 MW_th of boilers needs 1.21 × 400 = 484 MW_th, so its
    boilers become 100 + 0.21 × 400 = 184 MW_th (the CHP units do not grow with the heat)."""
    years = _years()
    years.loc[(2020, "central_heat_twh_th"), "value"] = 76.07 * 1.21 ** 4
    renewables = pd.DataFrame({"kind": ["wind"], "p_max_mw": [100.0]}, index=["w"])
    boilers = pd.DataFrame({"zone": ["z"], "h_max_mw_th": [100.0], "chp_mw_th": [300.0]},
                           index=["boilers_z"])
    items = {o.key: o.value for o in overrides(years, 2017, renewables,
                                               {"w": np.full(8784, 0.5)}, boilers)}
    assert items["heat_zone.*.scale"] == pytest.approx(1.21)
    assert items["heat_boiler.boilers_z.h_max_mw_th"] == pytest.approx(184.0)


@pytest.mark.parametrize("row, key, words", [
    ("2022,consumption_twh,nan,TWh,input", "row 2.value", "finite number in TWh"),
    ("2022,consumption_twh,-1,TWh,input", "row 2.value", "≥ 0"),
    ("2022,consumption_twh,lots,TWh,input", "row 2.value", "TWh"),
    ("2022,consumtion_twh,85.2,TWh,input", "row 2.figure", "one of"),
    ("2022,wind_generation_twh,12,TWh,input", "row 2.role", "outcome for wind_generation"),
])
def test_a_bad_year_row_is_refused_naming_the_row(tmp_path, row, key, words):
    """NaN, a negative input, text, an unknown figure, and an outcome offered as an input
    (which would let a year's result build its own case) are each refused by row."""
    from gridmodel.errors import NetworkError
    from gridmodel.years import read_years

    path = tmp_path / "years.csv"
    path.write_text("year,figure,value,unit,role,flag,source\n" + row + ",V,test\n")
    with pytest.raises(NetworkError) as err:
        read_years(path)
    assert key in str(err.value) and words in str(err.value)
