"""Technology modules. Each owns its table spec, Pyomo block, registrations and results.

Interface of a technology module:
  NAME, SPEC (TableSpec), active(system) -> bool, build(block, ctx),
  update(block, ctx, start, state), extract(block, ctx) -> dict[str, xarray.DataArray],
  optional finalize(block, ctx) and final_state(block, ctx, steps) -> dict.
"""

from . import export_link, load, renewable, thermal

TECHNOLOGIES = [thermal, renewable, load, export_link]
SPECS = {tech.SPEC.table: tech.SPEC for tech in TECHNOLOGIES}
