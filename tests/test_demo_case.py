"""KPI goldens on the bundled demo (tolerances, not dispatch vectors)."""

from pathlib import Path

import pytest

from gridmodel.case import load_case
from gridmodel.run import solve_case

CASES = Path(__file__).resolve().parent.parent / "cases"


def test_demo_curtails_wind_and_flexibility_removes_it():
    base = solve_case(load_case(CASES / "demo.toml")).summary
    flex = solve_case(load_case(CASES / "demo-flex.toml")).summary
    assert base["status"] == flex["status"] == "optimal"
    assert 5 < base["wind_curtailment_pct"] < 20  # CHP heat must-run at night
    assert flex["wind_curtailment_pct"] < base["wind_curtailment_pct"] - 5
    assert flex["objective_cny"] < base["objective_cny"]
    assert base["unserved_energy_mwh"] == pytest.approx(0, abs=1e-6)
    assert base["unserved_heat_mwh"] == pytest.approx(0, abs=1e-6)
    assert base["load_mwh"] == pytest.approx(flex["load_mwh"])
