"""A case edits the grid: a new line, more circuits, a line out of service (PTDF rebuilt).

The system of every test: 300 MW of wind at b0, 200 MW of load at b1 with a 50 CNY/MWh coal
unit beside it, one 100 MW line b0–b1 (x 10 ohm, 1 km). Alone it carries 100 MW: 200 MW of
wind are cut, the unit makes 100 MW (5,000 CNY in the hour)."""

import pytest
from tiny import Tiny

from gridmodel.case import load_case
from gridmodel.errors import GridmodelError
from gridmodel.run import solve_case

OFF = '[model]\ncommitment = "off"\n'


def _solve(tmp_path, extra: str = ""):
    t = Tiny(2)
    t.line(0, 1, rating_mw=100)
    t.gen("B", bus=1, p_max_mw=300, c1=50)
    t.load("L", 200, bus=1, series=[1.0])
    t.renewable("wind", "wind", 300, bus=0)
    return solve_case(load_case(t.write(tmp_path, OFF + extra)))


def test_the_system_alone(tmp_path):
    out = _solve(tmp_path)
    assert out.summary["renewable_curtailed_mwh"] == pytest.approx(200)
    assert out.summary["objective_cny"] == pytest.approx(5_000)


@pytest.mark.parametrize("extra,curtailed,objective", [
    # a second circuit like the first: 2 × 100 MW carry the load, nothing from coal
    ('[assets.line.second]\nfrom_bus = "b0"\nto_bus = "b1"\nlength_km = 1.0\nlike = "line0"\n',
     100.0, 0.0),
    # twice as long (twice the reactance): flows split 2 : 1, the first line binds at 100 MW
    # while the new one carries 50: 150 MW cross, coal makes 50 (2,500 CNY)
    ('[assets.line.long]\nfrom_bus = "b0"\nto_bus = "b1"\nlength_km = 2.0\nlike = "line0"\n',
     150.0, 2_500.0),
    # the same by its own data: x 10 ohm/km over 2 km, 100 MW at 220 kV
    (('[assets.line.own]\nfrom_bus = "b0"\nto_bus = "b1"\nlength_km = 2.0\n'
      'r_ohm_per_km = 0.1\nx_ohm_per_km = 10.0\nc_nf_per_km = 0.0\n'
      'max_i_ka = 0.26243194054073393\n'), 150.0, 2_500.0),
    # two circuits on the corridor: its rating doubles (200 MW)
    ('[overrides.line.line0]\nparallel = 2\n', 100.0, 0.0),
])
def test_a_new_line_or_circuit_moves_the_wind(tmp_path, extra, curtailed, objective):
    out = _solve(tmp_path, extra)
    assert out.summary["renewable_curtailed_mwh"] == pytest.approx(curtailed)
    assert out.summary["objective_cny"] == pytest.approx(objective, abs=1e-6)


@pytest.mark.parametrize("extra,named", [
    ('[overrides.line.line0]\nin_service = false\n', "carry assets but no line"),
    ('[assets.line.x]\nfrom_bus = "b0"\nto_bus = "b9"\nlength_km = 1.0\nlike = "line0"\n',
     "assets.line.x.to_bus"),
    ('[assets.line.x]\nfrom_bus = "b0"\nto_bus = "b1"\nlength_km = 1.0\nlike = "line7"\n',
     "assets.line.x.like"),
    ('[assets.line.x]\nfrom_bus = "b0"\nto_bus = "b1"\nlength_km = 0\nlike = "line0"\n',
     "assets.line.x.length_km"),
    ('[assets.line.x]\nfrom_bus = "b0"\nto_bus = "b1"\nlength_km = 1.0\n', "assets.line.x.r_ohm"),
    (('[assets.line.x]\nfrom_bus = "b0"\nto_bus = "b1"\nlength_km = 1.0\nlike = "line0"\n'
      'colour = "red"\n'), "assets.line.x.colour"),
    ('[overrides.line.line0]\nparallel = 1.5\n', "overrides.line.line0.parallel"),
])
def test_a_bad_grid_edit_is_one_named_error(tmp_path, extra, named):
    with pytest.raises(GridmodelError) as err:
        _solve(tmp_path, extra)
    assert named in str(err.value) and "\n" not in str(err.value).strip()
