"""Every declared summary key is an energy (MW × dt_h), a quantity that scales with time
(tonnes, money) or a count: the same dispatch at ½-h steps reports the same figures as at 1-h
steps. The ½-h Dataset is the hourly one with every step told twice (dt_h 0.5, tonnes and
money halved per step, counts in the first half only), so nothing but the reporting's dt
handling is under test — the dt bugs of the past (a MW_H2 series counted twice) lived there."""

import numpy as np
import pytest
import xarray as xr
from test_window_edges import _week

from gridmodel import kpi
from gridmodel.units import is_power

COUNT_UNITS = ("1",)            # events per step: a start is one start at any step length


def _halves(ds: xr.Dataset) -> xr.Dataset:
    """ds told at ½-h steps: each step twice; quantities summed without dt are split."""
    half = ds.isel(time=np.repeat(np.arange(ds.sizes["time"]), 2))
    half = half.assign_coords(time=np.arange(2 * ds.sizes["time"]))
    half.attrs = {**ds.attrs, "dt_h": ds.attrs["dt_h"] / 2}
    first = xr.DataArray(np.tile([1.0, 0.0], ds.sizes["time"]), dims="time")
    for name, da in ds.data_vars.items():
        if "time" not in da.dims or da.attrs.get("role") not in ("quantity", "detail"):
            continue
        unit = str(da.attrs.get("units", ""))
        if unit in COUNT_UNITS:
            half[name] = (half[name] * first).assign_attrs(da.attrs)
        elif not is_power(unit):
            half[name] = (half[name] / 2).assign_attrs(da.attrs)
    return half


@pytest.fixture(scope="module")
def hourly(tmp_path_factory):
    return _week(tmp_path_factory.mktemp("hourly"), '[model]\ncommitment = "off"\n').dataset


def test_every_summary_key_is_the_same_at_half_hour_steps(hourly):
    one, half = kpi.summary(hourly), kpi.summary(_halves(hourly))
    keys = [k for k, v in one.items() if isinstance(v, float)]
    assert len(keys) > 30  # every declared output of the week system, and the KPIs
    for key in keys:  # energies, tonnes, money, counts, hours, shares and mean prices
        assert half[key] == pytest.approx(one[key], rel=1e-9, abs=1e-6), key


@pytest.fixture(scope="module")
def hydrogen(tmp_path_factory):
    """The third carrier: wind into an electrolyser, a hydrogen buffer, a fuel cell and a
    hub demand beside a coal unit and a load (tests/test_hydrogen.py's parts, 4 h)."""
    from tiny import Tiny

    t = Tiny()
    t.gen("coal", p_max_mw=100, c1=50)
    t.load("L", 10.0, series=[0.0, 1.0, 1.0, 0.5])
    t.renewable("wind", "wind", 100, series=[0.9, 0.1, 0.0, 0.6])
    t.table("hydrogen_hub", name="hub", demand_mw_h2=5.0)
    t.table("electrolyser", name="ely", bus=0, hub="hub", p_max_mw=40.0, efficiency_pu=0.5)
    t.table("hydrogen_storage", name="tank", hub="hub", e_max_mwh_h2=40.0,
            p_in_max_mw_h2=40.0, p_out_max_mw_h2=40.0, initial_soc_pu=0.5, cyclic=True)
    t.table("fuel_cell", name="fc", bus=0, hub="hub", p_max_mw=20.0, efficiency_pu=0.5)
    return t.solve(tmp_path_factory.mktemp("h2"), '[model]\ncommitment = "off"\n').dataset


def test_every_summary_key_of_the_hydrogen_carrier_is_the_same_at_half_hour_steps(hydrogen):
    one, half = kpi.summary(hydrogen), kpi.summary(_halves(hydrogen))
    keys = [k for k, v in one.items() if isinstance(v, float)]
    assert {"electrolyser_hydrogen_mwh", "hydrogen_demand_mwh", "fuel_cell_hydrogen_mwh",
            "hydrogen_storage_charge_mwh", "hydrogen_price_mean_cny_per_mwh_h2"} <= set(keys)
    assert one["hydrogen_demand_mwh"] == pytest.approx(20)  # 5 MW_H2 × 4 h
    for key in keys:
        assert half[key] == pytest.approx(one[key], rel=1e-9, abs=1e-6), key
