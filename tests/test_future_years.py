"""Future years by scaling: `scale` and `in_service` overrides, validated like any other,
recorded in case.resolved.toml."""

import tomllib

import pytest
from tiny import Tiny
from typer.testing import CliRunner

from gridmodel.cli import app

runner = CliRunner()


def _case(tmp_path):
    """Coal 0-200 MW at 300 CNY/MWh, 50 MW of wind fully available, 80 MW of load, 1 h."""
    t = Tiny()
    t.gen("coal", p_max_mw=200, c1=300)
    t.renewable("W", "wind", 50, series=[1.0])
    t.load("L", 80, series=[1.0])
    return t.write(tmp_path, '[model]\ncommitment = "off"\n')


def _run(case, out, *sets):
    args = ["run", str(case), "--out", str(out)]
    for s in sets:
        args += ["--set", s]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    import json

    return json.loads((out / "summary.json").read_text())


@pytest.mark.slow  # moved to make test-all to keep make test under 90 s (2026-12-03)
def test_scaling_wind_load_and_retiring_a_plant(tmp_path):
    """Wind × 2 (100 MW) against 80 MW of load: 20 MW curtailed, no coal (0 CNY). Load × 1.5
    as well (120 MW): wind 100 + coal 20 = 6,000 CNY. Wind retired: coal 120 = 36,000 CNY."""
    case = _case(tmp_path / "in")
    both = _run(case, tmp_path / "a", "renewable.*.scale=2")
    assert both["wind_available_mwh"] == pytest.approx(100)
    assert both["wind_curtailed_mwh"] == pytest.approx(20)
    assert both["objective_cny"] == pytest.approx(0)
    grown = _run(case, tmp_path / "b", "renewable.*.scale=2", "load.L.scale=1.5")
    assert grown["objective_cny"] == pytest.approx(6_000)
    resolved = tomllib.loads((tmp_path / "b" / "case.resolved.toml").read_text())
    assert resolved["overrides"]["load"]["L"]["scale"] == 1.5
    retired = _run(case, tmp_path / "c", "load.L.scale=1.5", "renewable.W.in_service=false")
    assert retired["objective_cny"] == pytest.approx(36_000)
    assert retired["wind_available_mwh"] == 0


@pytest.mark.parametrize("item,word", [("renewable.*.scale=-1", "[0, 100]"),
                                       ("renewable.*.scale=lots", "[0, 100]"),
                                       ("renewable.W.in_service=2", "true or false")])
def test_bad_scaling_is_a_named_error(tmp_path, item, word):
    result = runner.invoke(app, ["validate", str(_case(tmp_path)), "--set", item])
    assert result.exit_code == 2 and word in result.output and "--set" in result.output
