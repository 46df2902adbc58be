"""Technology modules (or objects). Each owns its table spec, Pyomo block, registrations
and results. Interface:

  NAME, SPEC (TableSpec), active(system) -> bool, build(block, ctx),
  update(block, ctx, start, state), extract(block, ctx) -> dict[str, xarray.DataArray],
  optional prepare(tables, where) -> tables (cross-table checks before the System freezes),
  finalize(block, ctx) (after every build) and final_state(block, ctx, steps) -> dict.
"""

from . import (
               battery,
               chp,
               export_link,
               heat_sources,
               heat_storage,
               heat_zone,
               hydro,
               load,
               pumped_hydro,
               renewable,
               thermal,
)

TECHNOLOGIES = [thermal, renewable, load, export_link, heat_zone, chp, heat_sources.HEAT_BOILER,
                heat_sources.ELECTRIC_BOILER, heat_sources.HEAT_PUMP, heat_storage,
                battery.TECH, pumped_hydro.TECH, hydro]
SPECS = {tech.SPEC.table: tech.SPEC for tech in TECHNOLOGIES}
PREPARE = [tech for tech in TECHNOLOGIES if hasattr(tech, "prepare")]
