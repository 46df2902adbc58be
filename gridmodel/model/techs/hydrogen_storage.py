"""Hydrogen stores at a hub (pressure vessels, pipe storage): MWh_H2 (LHV), charge and
discharge MW_H2, standing loss, initial and cyclic content. Compression energy is not
modelled (a few percent of the hydrogen's LHV; fold it into eta_in_pu if it matters)."""

from ._storage import NodeStore

TECH = NodeStore("hydrogen_storage", "hydrogen", "hub", "hydrogen_hub", "mw_h2", "mwh_h2",
                 "Hydrogen storage", "#9467bd",
                 "hydrogen hubs")
