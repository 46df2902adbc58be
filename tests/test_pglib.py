"""pglib-uc reader and command on a tiny instance in the pglib format (hand-worked optimum)."""

import json

import pytest
from typer.testing import CliRunner

from gridmodel.cli import app
from gridmodel.run import solve_pglib


def _unit(pmin, pmax, cost_min, cost_max, on, ago, p0, startup_cost):
    return {"must_run": 0, "power_output_minimum": pmin, "power_output_maximum": pmax,
            "ramp_up_limit": 100.0, "ramp_down_limit": 100.0, "ramp_startup_limit": pmax,
            "ramp_shutdown_limit": pmax, "time_up_minimum": 1, "time_down_minimum": 1,
            "power_output_t0": p0, "unit_on_t0": on, "time_up_t0": ago if on else 0,
            "time_down_t0": 0 if on else ago, "startup": [{"lag": 1, "cost": startup_cost}],
            "piecewise_production": [{"mw": pmin, "cost": cost_min},
                                     {"mw": pmax, "cost": cost_max}]}


def tiny_instance(path):
    """A: 10-100 MW, 100 CNY at 10 MW + 10/MWh, on (50 MW). B1, B2 identical: 5-50 MW,
    250 at 5 MW + 30/MWh, off, start 500. Must-take hydro 0/10/0 MW. Demand 60, 120, 80.
    Hour 0: A 60 → 600. Hour 1: 110 net: A 100 (1000) + one B at 10 (400 + 500 start).
    Hour 2: A 80 → 800. Optimum 3300."""
    data = {"time_periods": 3, "demand": [60.0, 120.0, 80.0], "reserves": [0.0, 0.0, 0.0],
            "thermal_generators": {"A": _unit(10, 100, 100.0, 1000.0, 1, 10, 50.0, 0.0),
                                   "B1": _unit(5, 50, 250.0, 1600.0, 0, 10, 0.0, 500.0),
                                   "B2": _unit(5, 50, 250.0, 1600.0, 0, 10, 0.0, 500.0)},
            "renewable_generators": {"HYDRO": {"power_output_minimum": [0.0, 10.0, 0.0],
                                               "power_output_maximum": [0.0, 10.0, 0.0]}}}
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("cluster", [False, True])
def test_tiny_instance_optimum(tmp_path, cluster):
    summary = solve_pglib(tiny_instance(tmp_path / "tiny.json"), 0.0, 30, 1, cluster)
    assert summary["objective"] == pytest.approx(3300)
    assert summary["unserved_energy_mwh"] == pytest.approx(0)


def test_pglib_command_writes_summary(tmp_path):
    path = tiny_instance(tmp_path / "tiny.json")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["pglib", str(path), "--out", str(out), "--threads", "1"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert {"objective", "bound", "mip_gap", "solve_time_s", "wall_time_s",
            "build_time_s"} <= set(summary)
    again = CliRunner().invoke(app, ["pglib", str(path), "--out", str(out)])
    assert again.exit_code == 2


def test_bad_instance_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"time_periods": 2}')
    result = CliRunner().invoke(app, ["pglib", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "bad.json" in result.output and "pglib" in result.output
