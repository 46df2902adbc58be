"""Sweep of two tiny scenarios on a local dask cluster with two workers."""

import json

import pandas as pd
import pytest
import xarray as xr
from tiny import Tiny
from typer.testing import CliRunner

from gridmodel.cli import app

runner = CliRunner()


def _case(folder):
    """Must-run coal 80 MW, wind 100 MW, load 100 MW, export link sized by the sweep.
    Tie 0 MW: 80 MWh curtailed, cost 800; tie 30 MW (value 5): 50 curtailed, 800 − 150."""
    t = Tiny()
    t.gen("coal", p_min_mw=80, p_max_mw=200, c1=10)
    t.renewable("W", "wind", 100)
    t.load("L", 100)
    t.table("export_link", name="tie", bus=0, p_export_max_mw=0.0,
            export_value_cny_per_mwh=5.0)
    return t.write(folder)


def test_sweep_runs_two_scenarios_on_two_workers_and_skips_finished_ones(tmp_path):
    case = _case(tmp_path / "in")
    out = tmp_path / "sweep"
    args = ["sweep", str(case), "--set", "overrides.export_link.tie.p_export_max_mw=0.0,30.0",
            "--workers", "2", "--out", str(out), "--merit",
            "overrides.export_link.tie.p_export_max_mw"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "sweep_summary.csv", index_col=0)
    assert list(table["objective_cny"]) == pytest.approx([800, 650])
    assert list(table["wind_curtailed_mwh"]) == pytest.approx([80, 50])
    combined = xr.load_dataset(out / "sweep.nc", engine="h5netcdf")
    assert combined.sizes["scenario"] == 2
    assert (out / "merit_order.png").read_bytes()[:4] == b"\x89PNG"
    merit = pd.read_csv(out / "merit_order.csv", index_col=0)
    assert merit["avoided_mwh_per_size_unit"].iloc[1] == pytest.approx(1.0)  # 30 MWh / 30 MW
    assert merit["cost_change_cny_per_avoided_mwh"].iloc[1] == pytest.approx(-5.0)
    again = runner.invoke(app, args)
    assert again.exit_code == 0
    assert set(pd.read_csv(out / "sweep_summary.csv")["status"]) == {"skipped"}
    assert json.loads((out / table.index[0] / "summary.json").read_text())["status"] == "optimal"


def test_sweep_bad_key_is_a_clear_error(tmp_path):
    case = _case(tmp_path / "in")
    result = runner.invoke(app, ["sweep", str(case), "--set", "solver.mip_gapp=0.1,0.2",
                                 "--out", str(tmp_path / "s")])
    assert result.exit_code == 2 and "solver.mip_gapp" in result.output
    assert "unknown key" in result.output
