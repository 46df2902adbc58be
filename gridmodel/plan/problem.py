"""From a case and its options to plan problems: one per combination of the discrete
options' values, each with the year cut into blocks and every block's LP in the sizes."""

from __future__ import annotations

import itertools
import time

import numpy as np

from .benders import Problem
from .linear import CO2, CURTAILMENT, block_lp, dependence, read_window, same_structure
from .options import Option, capex_terms, check_options

HOURS_PER_YEAR = 8760.0


def planning_sets(system) -> list[str]:
    """Relaxed commitment; every store of the case cyclic in each block (blocks are solved
    apart: what a store holds at a block's end is what it held at its start)."""
    sets = ["model.commitment=relaxed"]
    for tech in system.techs:
        spec = tech.SPEC
        if spec is not None and "cyclic_each_window" in spec.columns \
                and len(system.table(spec.table)):
            sets.append(f"{spec.table}.*.cyclic_each_window=true")
    return sets


def _build(case_file, sets: list[str], n_steps: int):
    from ..case import load_case
    from ..model.core import build_model
    from ..model.techs import TECHNOLOGIES
    from ..network.loader import system_from_case

    case = load_case(case_file, sets)
    system = system_from_case(case, TECHNOLOGIES)
    return system, build_model(system, case.model, case.reserve, n_steps)


def problems(case_file, sets: list[str], options: list[Option], progress=None, pool=None):
    """(base case, base system, [Problem]) for every combination of discrete values."""
    from ..case import load_case
    from ..model.techs import TECHNOLOGIES
    from ..network.loader import system_from_case
    from ..windows import whole_steps

    case = load_case(case_file, sets)
    system = system_from_case(case, TECHNOLOGIES)
    options = check_options(options, system)
    terms, free = capex_terms(case, options, system)
    steps = min(whole_steps(case, "plan.block_h", case.plan.block_h, system.dt_h),
                system.n_steps)
    cont = [o for o in options if not o.discrete]
    disc = [o for o in options if o.discrete]
    base_sets = list(sets) + planning_sets(system)
    out = []
    for values in itertools.product(*[o.values for o in disc]):
        fixed = dict(zip([o.name for o in disc], values))
        fixed_sets = [s for o in disc for s in o.sets(fixed[o.name])]
        out.append(_problem(case, case_file, base_sets + fixed_sets, cont, disc, fixed, terms,
                            system, steps, progress, pool))
    return case, system, out, free, options


def _problem(case, case_file, sets, cont, disc, fixed, terms, system, steps, progress,
             pool=None):
    names = [o.name for o in cont]
    starts = list(range(0, system.n_steps, steps))
    t0 = time.perf_counter()
    penalties = {CURTAILMENT: case.plan.shortfall_penalty_cny_per_mwh}
    if case.plan.max_co2_t is not None:
        penalties[CO2] = case.plan.co2_shortfall_penalty_cny_per_t
    args = (str(case_file), sets, cont, steps, penalties)
    if progress:
        progress("blocks", 0, len(starts))
    if pool is None:
        blocks = build_blocks(*args, starts, progress)
        solver = None
    else:
        blocks, solver = pool.build(args, starts, key=repr(sorted(fixed.items())))
    cont_terms = [t for t in terms if t.option in names]
    return Problem(names, np.array([o.low for o in cont]), np.array([o.high for o in cont]),
                   blocks, cont_terms, system.n_steps * system.dt_h / HOURS_PER_YEAR,
                   case.plan.min_absorption_pct, case.plan.max_capex_cny, fixed,
                   _fixed_capex(terms, disc, fixed), time.perf_counter() - t0, solver,
                   case.plan.max_co2_t)


def build_blocks(case_file, sets, cont, steps, penalties, starts, progress=None) -> list:
    """The block LPs starting at `starts`, from the probe builds (all low, each option at
    its upper end, all at their midpoints)."""
    low = np.array([o.low for o in cont])
    high = np.array([o.high for o in cont])
    names = [o.name for o in cont]

    def probe(sizes):
        extra = [s for o, x in zip(cont, sizes) for s in o.sets(x)]
        return _build(case_file, sets + extra, steps)

    base_sys, base = probe(low)
    ends = []
    for i, o in enumerate(cont):
        _, built = probe(np.where(np.arange(len(cont)) == i, high, low))
        same_structure(base, built, o.name)
        ends.append(built)
    _, mid = probe((low + high) / 2)
    same_structure(base, mid, ", ".join(names) or "options")
    dt, blocks = base_sys.dt_h, []
    for n, start in enumerate(starts):
        read = [read_window(b, start, dt, tuple(penalties)) for b in [base, *ends, mid]]
        dep = dependence(read[0], read[1:-1], read[-1], low, high, names)
        blocks.append(block_lp(base.matrix.A, base.matrix.c, dep, penalties))
        if progress:
            progress("blocks", n + 1, len(starts))
    return blocks


def _fixed_capex(terms, disc, fixed) -> float:
    from .options import capex_cny

    names = {o.name for o in disc}
    return capex_cny([t for t in terms if t.option in names], fixed) if fixed else 0.0

