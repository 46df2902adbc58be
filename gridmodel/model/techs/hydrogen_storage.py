"""Hydrogen stores at a hub (pressure vessels, pipe storage): MWh_H2 (LHV), charge and
discharge MW_H2, standing loss, initial and cyclic content. Compression energy is not
modelled (a few percent of the hydrogen's LHV; fold it into eta_in_pu if it matters)."""

from __future__ import annotations

from ...outputs import Output
from ...system import TableSpec
from . import _storage, hydrogen_hub
from ._util import check_refs

NAME = "hydrogen_storage"
REQUIRES = ("hydrogen_hub",)
SPEC = TableSpec(NAME, {"hub": (None, "hydrogen hub name", str),
                        **_storage.store_spec_columns("mw_h2", "mwh_h2", 1.0, 1.0)},
                 scaled=_storage.store_scaled("mw_h2", "mwh_h2"))
OUTPUTS = (
    Output("hydrogen_storage_charge_mw_h2", "hydrogen", "storage_in",
           "hydrogen_storage_charge_mwh", "Hydrogen storage charge", "#9467bd"),
    Output("hydrogen_storage_discharge_mw_h2", "hydrogen", "storage_out",
           "hydrogen_storage_discharge_mwh", "Hydrogen storage", "#9467bd"),
    Output("hydrogen_storage_soc_mwh_h2", "hydrogen", "level", "", "Hydrogen storage content"),
)


def prepare(tables, where, case):
    check_refs(tables[NAME], "hub", hydrogen_hub.hubs(tables), "hydrogen hubs", NAME, where)
    return tables


def build(b, ctx) -> None:
    table = ctx.system.table(NAME)
    _storage.build_store(b, ctx, table, "mw_h2", "mwh_h2", name=NAME)
    hub = table["hub"].to_dict()
    ctx.add_flow("hydrogen", hub, b.out_mw_h2)
    ctx.add_flow("hydrogen", hub, b.in_mw_h2, sign=-1.0)


def update(b, ctx, start, state) -> None:
    _storage.set_initial(b, ctx, ctx.system.table(NAME), "mwh_h2", state, start)


def final_state(b, ctx, k):
    return _storage.final_state(b, ctx, k)


def extract(b, ctx) -> dict:
    return _storage.extract_store(b, ctx, NAME)
