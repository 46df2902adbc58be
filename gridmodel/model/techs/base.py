"""The technology interface: named hooks with no-op defaults, declared dependencies and
outputs. A technology is a subclass of `Technology` or a module of functions (wrapped by
`as_technology`); the core calls every hook on every technology, never `hasattr`.

Hooks, in the order the tool calls them:
  active(system)                       -> bool: has rows in this system
  prepare(tables, where, case)         -> tables: cross-table checks/expansion (before freeze)
  build(block, ctx)                    Pyomo variables/constraints; register flows, costs,
                                       reserve, fuel terms (`ctx.add_*`), share components
                                       with technologies that require this one (`ctx.provide`)
  finalize(block, ctx)                 after every build (e.g. thermal: fuel-equivalent output)
  update(block, ctx, start, state)     write the window's data (`ctx.set_param`/`set_bounds`)
  warm_start(block, ctx, shift)        [(var, assets, values)]: next window's MIP start
  round_commitment(block, ctx, pu)     [(var, assets, values)]: rounded relaxation
  final_state(block, ctx, steps)       state for the next window (None = stateless)
  extract(block, ctx)                  {name: DataArray}, each declared in OUTPUTS
  curtailment_roles(ds, system)        [causes.Role]: after the run, per hour, the MW
                                       of forced supply or of sinks at their limit that
                                       stood in the way of more wind and solar
  firm_capacity(system)                {carrier: Series node → MW}: what the technology can
                                       always supply at a node (heat: CHP, boilers …)
  peak_demand(system)                  {carrier: Series node → MW}: the highest demand it
                                       puts on a node over the run (heat zones)
  reserve_requirement_mw(system, reserve, start, n)
                                       (n,) MW of spinning reserve it asks for in the window
                                       (load: a share of demand; wind: of its availability)
  claims(system)                       {technology: [assets]}: another technology's assets
                                       this one reports for (CHP claims its thermal units)
  absorption(block, ctx)               [(used Var, available param, assets)]: renewable
                                       energy it could take and takes (absorption targets
                                       of `gridmodel plan`)
  emissions(block, ctx)                [(component, {asset: t CO2 per MWh}, assets)]: the
                                       CO2 of its output per step (CO2 caps of the plan)

Declarations: NAME, SPEC (TableSpec), OUTPUTS (gridmodel.outputs.Output), CAUSES
(gridmodel.causes.Cause: the curtailment causes its roles report), REQUIRES (names of
technologies built before this one; build order follows from them).
"""

from __future__ import annotations

HOOKS = ("active", "prepare", "build", "finalize", "update", "warm_start", "round_commitment",
         "final_state", "extract", "curtailment_roles", "firm_capacity", "peak_demand",
         "reserve_requirement_mw", "claims", "absorption", "emissions")


class Technology:
    NAME: str = ""
    SPEC = None
    OUTPUTS: tuple = ()
    CAUSES: tuple = ()
    REQUIRES: tuple = ()

    def active(self, system) -> bool:
        return len(system.table(self.NAME)) > 0

    def prepare(self, tables: dict, where, case) -> dict:
        return tables

    def build(self, b, ctx) -> None:
        """Every technology builds something; a subclass must say what."""
        raise NotImplementedError(f"{self.NAME}: build")

    def finalize(self, b, ctx) -> None:
        return None

    def update(self, b, ctx, start: int, state) -> None:
        return None

    def warm_start(self, b, ctx, shift: int) -> list:
        return []

    def round_commitment(self, b, ctx, threshold_pu: float) -> list:
        return []

    def final_state(self, b, ctx, steps: int):
        return None

    def extract(self, b, ctx) -> dict:
        return {}

    def curtailment_roles(self, ds, system) -> list:
        return []

    def firm_capacity(self, system) -> dict:
        return {}

    def peak_demand(self, system) -> dict:
        return {}

    def reserve_requirement_mw(self, system, reserve, start: int, n: int):
        return None

    def claims(self, system) -> dict:
        return {}

    def absorption(self, b, ctx) -> list:
        return []

    def emissions(self, b, ctx) -> list:
        return []


class ModuleTechnology(Technology):
    """A technology written as a module: its functions replace the default hooks; other
    module attributes (helpers such as `heat_zone.zones`) stay reachable."""

    def __init__(self, module):
        self.module = module
        self.NAME, self.SPEC = module.NAME, module.SPEC
        self.OUTPUTS = tuple(getattr(module, "OUTPUTS", ()))
        self.CAUSES = tuple(getattr(module, "CAUSES", ()))
        self.REQUIRES = tuple(getattr(module, "REQUIRES", ()))
        for hook in HOOKS:
            if hasattr(module, hook):
                setattr(self, hook, getattr(module, hook))

    def __getattr__(self, name):
        return getattr(self.module, name)

    def __repr__(self) -> str:
        return f"<technology {self.NAME}>"


def as_technology(obj) -> Technology:
    return obj if isinstance(obj, Technology) else ModuleTechnology(obj)


def build_order(techs: list) -> list:
    """Technologies ordered so that each comes after those it REQUIRES (stable otherwise); a
    name given twice is an error naming both (never a silent drop)."""
    by_name = {}
    for tech in techs:
        if tech.NAME in by_name:
            raise ValueError(f"two technologies named {tech.NAME!r}: {_origin(by_name[tech.NAME])}"
                             f" and {_origin(tech)}")
        by_name[tech.NAME] = tech
    done, order = set(), []

    def visit(tech, path=()):
        if tech.NAME in done:
            return
        if tech.NAME in path:
            raise ValueError(f"technologies require each other: {' -> '.join(path)}")
        for name in tech.REQUIRES:
            if name not in by_name:
                raise ValueError(f"{tech.NAME} requires unknown technology {name!r}")
            visit(by_name[name], path + (tech.NAME,))
        done.add(tech.NAME)
        order.append(tech)

    for tech in techs:
        visit(tech)
    return order


def _origin(tech) -> str:
    module = getattr(tech, "module", None)
    return getattr(module, "__name__", None) or type(tech).__module__ + "." + type(tech).__name__
