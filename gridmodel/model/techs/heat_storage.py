"""Heat storage (hot-water accumulators) in a zone: MWh_th, charge/discharge MW_th,
standing loss per hour, initial and cyclic state."""

from ._storage import NodeStore

TECH = NodeStore("heat_storage", "heat", "zone", "heat_zone", "mw_th", "mwh_th",
                 "Heat storage", "#bcbd22",
                 "heat zones")
