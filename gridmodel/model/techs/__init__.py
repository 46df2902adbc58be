"""Technologies: one module (or Technology subclass) each, owning its table spec, Pyomo block,
registrations and declared outputs. The interface and its hooks: `base.py`."""

from . import (
               battery,
               chp,
               electrolyser,
               embedded_generation,
               export_contract,
               export_link,
               flexible_load,
               fuel_cell,
               heat_sources,
               heat_storage,
               heat_zone,
               hydro,
               hydrogen_hub,
               hydrogen_storage,
               load,
               peak_regulation,
               pumped_hydro,
               renewable,
               thermal,
               waste_to_energy,
)
from .base import as_technology, build_order

# the registry: one line per technology (build order follows from each one's REQUIRES)
TECHNOLOGIES = build_order([as_technology(t) for t in (
    thermal, renewable, load, export_link, heat_zone, chp, heat_sources.HEAT_BOILER,
    heat_sources.ELECTRIC_BOILER, heat_sources.HEAT_PUMP, heat_storage.TECH, battery.TECH,
    pumped_hydro.TECH, hydro, waste_to_energy, embedded_generation, flexible_load,
    export_contract, peak_regulation, hydrogen_hub, electrolyser, hydrogen_storage.TECH, fuel_cell)])
SPECS = {tech.SPEC.table: tech.SPEC for tech in TECHNOLOGIES}
