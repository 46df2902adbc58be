"""A bare case (only a pandapower net) equals pandapower's own DC OPF (rundcopp)."""

import copy

import pandapower as pp
import pandapower.networks as pn
import pytest

from gridmodel.case import load_case
from gridmodel.network.io import save_net
from gridmodel.run import solve_case


def _ours(net, folder, extra=""):
    folder.mkdir()
    save_net(net, folder / "net.json")
    (folder / "case.toml").write_text('network = "net.json"\n' + extra)
    return solve_case(load_case(folder / "case.toml")).summary["objective_cny"]


def _theirs(net):
    ref = copy.deepcopy(net)
    pp.rundcopp(ref, numba=False)
    return ref.res_cost


@pytest.mark.parametrize("make", [pn.case30, pytest.param(pn.case118, marks=pytest.mark.slow)])
def test_linear_costs_match_rundcopp_exactly(make, tmp_path):
    net = make()
    net.poly_cost["cp2_eur_per_mw2"] = 0.0
    assert _ours(net, tmp_path / "lp") == pytest.approx(_theirs(net), rel=1e-6)


@pytest.mark.slow  # the linear-cost test keeps case30 in make test
@pytest.mark.parametrize("make", [pn.case30, pytest.param(pn.case118, marks=pytest.mark.slow)])
def test_quadratic_costs_within_a_tenth_of_a_percent(make, tmp_path):
    """Quadratic costs become 20 secant segments per unit (the default); secants overestimate
    by at most c2·(Δp/20)²/4 per unit, so ours ≥ theirs and within 0.1 %."""
    net = make()
    ours, theirs = _ours(net, tmp_path / "qp"), _theirs(net)
    assert theirs - 1e-6 <= ours <= theirs * 1.001
