"""Heat storage (hot-water accumulators) in a zone: MWh_th, charge/discharge MW_th,
standing loss per hour, initial and cyclic state."""

from __future__ import annotations

from ...outputs import Output
from ...system import TableSpec
from . import _storage
from ._util import check_refs

NAME = "heat_storage"
REQUIRES = ("heat_zone",)
SPEC = TableSpec(NAME, {"zone": (None, "heat zone name"),
                        **_storage.store_spec_columns("mw_th", "mwh_th", 1.0, 1.0)},
                 scaled=_storage.store_scaled("mw_th", "mwh_th"))
OUTPUTS = (
    Output("heat_storage_charge_mw_th", "heat", "storage_in", "heat_storage_charge_mwh",
           "Heat storage charge"),
    Output("heat_storage_discharge_mw_th", "heat", "storage_out", "heat_storage_discharge_mwh",
           "Heat storage", "#bcbd22"),
    Output("heat_storage_soc_mwh_th", "heat", "level", "", "Heat storage content"),
)


def active(system) -> bool:
    return len(system.table(NAME)) > 0


def prepare(tables, where, case):
    zones = tables["heat_zone"].index if "heat_zone" in tables else []
    check_refs(tables[NAME], "zone", zones, "heat zones", NAME, where)
    return tables


def build(b, ctx) -> None:
    table = ctx.system.table(NAME)
    _storage.build_store(b, ctx, table, "mw_th", "mwh_th", name=NAME)
    zone = table["zone"].to_dict()
    ctx.add_heat(zone, b.out_mw_th)
    ctx.add_heat(zone, b.in_mw_th, sign=-1.0)


def update(b, ctx, start, state) -> None:
    _storage.set_initial(b, ctx, ctx.system.table(NAME), "mwh_th", state, start)


def final_state(b, ctx, k):
    return _storage.final_state(b, ctx, k)


def extract(b, ctx) -> dict:
    return _storage.extract_store(b, ctx, NAME)
