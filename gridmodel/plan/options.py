"""Plan options: a sized column (or several columns of one asset moving together) with its
range or its values, and its annualised cost from the case's costs table.

Grammar (case `[plan.options]` name = spec, or `--option spec`):
    table.asset.column[+column[*f]]…=MIN..MAX     continuous, e.g.
    battery.battery_baicheng.p_out_max_mw+p_in_max_mw+e_max_mwh*4=0..1000
    table.asset.column=V1,V2[,…]                  one of these values (a retrofit on/off)
The first column is the option's size x; every further column is f × x (f = 1 unless given).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from ..economics import annuity_per_unit, read_costs
from ..errors import CaseError

NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
COLUMN = re.compile(rf"^(\w+)(?:\*({NUMBER}))?$")
RANGE = re.compile(rf"^({NUMBER})\.\.({NUMBER})$")
MAX_COMBINATIONS = 16


@dataclass(frozen=True)
class Option:
    name: str
    table: str
    asset: str
    columns: tuple[tuple[str, float], ...]   # (column, factor × x)
    low: float
    high: float
    values: tuple[float, ...] = ()           # discrete: one of these (enumerated)
    origin: str = "--option"

    @property
    def discrete(self) -> bool:
        return bool(self.values)

    @property
    def unit(self) -> str:
        return self.columns[0][0]

    def sets(self, x: float) -> list[str]:
        """`--set` items that give the columns their values at size x."""
        return [f"{self.table}.{self.asset}.{col}={float(f * x)!r}" for col, f in self.columns]


def parse_option(spec: str, origin: str = "--option", name: str | None = None) -> Option:
    """One option from its spec, or a CaseError naming it and the grammar."""
    expected = ("table.asset.column[+column[*f]]…=MIN..MAX or =V1,V2,… (e.g. "
                "electric_boiler.electric_boiler_baicheng.p_max_mw=0..2000)")
    key, sep, rng = spec.partition("=")
    parts = key.strip().split(".", 2)
    if not sep or len(parts) != 3 or not all(parts):
        raise CaseError(origin, name or spec, spec, expected)
    table, asset, cols = parts
    columns = []
    for i, text in enumerate(cols.split("+")):
        found = COLUMN.match(text.strip())
        if not found or (i == 0 and found.group(2)):
            raise CaseError(origin, name or key, f"column {text!r}", expected)
        columns.append((found.group(1), float(found.group(2) or 1.0)))
    found = RANGE.match(rng.strip())
    if found:
        low, high = float(found.group(1)), float(found.group(2))
        if not low < high:
            raise CaseError(origin, name or key, rng, "MIN..MAX with MIN < MAX")
        return Option(name or asset, table, asset, tuple(columns), low, high, (), origin)
    try:
        values = tuple(sorted({float(v) for v in rng.split(",")}))
    except ValueError:
        raise CaseError(origin, name or key, rng, expected) from None
    if not all(np.isfinite(values)):
        raise CaseError(origin, name or key, rng, "finite numbers in the column's unit")
    if len(values) < 2:
        raise CaseError(origin, name or key, rng, "at least two values to choose from")
    return Option(name or asset, table, asset, tuple(columns), values[0], values[-1], values,
                  origin)


def options_of(case, cli: list[str]) -> list[Option]:
    """The case's `[plan.options]` and the command line's, names unique."""
    found = [parse_option(spec, case.where(f"plan.options.{name}"), name)
             for name, spec in case.plan.options.items()]
    found += [parse_option(spec) for spec in cli]
    names = [o.name for o in found]
    for o in found:
        if names.count(o.name) > 1:
            raise CaseError(o.origin, o.name, "named twice", "one option per asset (name it "
                            "in [plan.options] to plan two columns of one asset apart)")
    if not found:
        raise CaseError(case.where("plan.options"), "plan.options", "none",
                        "at least one option ([plan.options] or --option)")
    combos = int(np.prod([len(o.values) for o in found if o.discrete] or [1]))
    if combos > MAX_COMBINATIONS:
        raise CaseError(found[0].origin, "options", f"{combos} combinations of discrete "
                        "options", f"at most {MAX_COMBINATIONS} (each is one plan)")
    return found


def check_options(options: list[Option], system) -> list[Option]:
    """Every option names a table, an asset of it (full name, without its table prefix or
    one unique word, as `--set` takes it) and numeric columns of its spec; the options come
    back with their assets' full names."""
    from ..network.tables import resolve_asset

    specs = {t.SPEC.table: t.SPEC for t in system.techs}
    out = []
    for o in options:
        spec = specs.get(o.table)
        if spec is None:
            raise CaseError(o.origin, o.name, f"table {o.table!r}", f"one of {sorted(specs)}")
        try:
            o = replace(o, asset=resolve_asset(system.table(o.table), o.table, o.asset,
                                               o.origin))
        except CaseError:
            raise CaseError(o.origin, o.name, f"asset {o.asset!r} of {o.table}",
                            "an asset of the table (add one with [assets.<table>.<name>])") \
                from None
        out.append(o)
        for col, f in o.columns:
            if col not in spec.columns or spec.rule(col).kind not in ("number", "integer"):
                raise CaseError(o.origin, o.name, f"column {o.table}.{col}",
                                "a numeric (sized) column of the table")
            for x in (o.low, o.high):  # the range's ends against the column's own rule
                problem = spec.rule(col).problem(f * x)
                if problem:
                    raise CaseError(o.origin, o.name, f"{o.table}.{col} at {f * x:g}: "
                                    f"{problem}", spec.rule(col).expected(spec.columns[col][1]))
    return out


@dataclass(frozen=True)
class Capex:
    """Annualised capex of one option column: annuity_cny × max(0, f·x − base) (increase) or
    × max(0, base − f·x) (reduction), per year; weight = units per row (thermal n_units)."""

    option: str
    column: str
    factor: float
    base: float
    annuity_cny_per_unit: float
    reduction: bool
    cost_row: str


def capex_terms(case, options: list[Option], system) -> tuple[list[Capex], list[str]]:
    """Capex terms of the options' columns and the columns without a cost row (free)."""
    if case.costs is None:
        return [], [f"{o.table}.{c}" for o in options for c, _ in o.columns]
    specs = {t.SPEC.table: t.SPEC for t in system.techs}
    costs = read_costs(case.costs, specs)
    terms, free = [], []
    for o in options:
        table = system.table(o.table)
        for col, f in o.columns:
            rows = costs[(costs["table"] == o.table) & (costs["column"] == col)]
            if not len(rows):
                free.append(f"{o.table}.{col}")
                continue
            row = rows.iloc[0]
            units = float(table.at[o.asset, "n_units"]) if "n_units" in table else 1.0
            annuity = units * annuity_per_unit(row, case.economics.discount_rate_pu)
            terms.append(Capex(o.name, col, f, float(table.at[o.asset, col]), annuity,
                               row.basis == "reduction", str(row.option)))
    return terms, free


def capex_cny(terms: list[Capex], sizes: dict) -> float:
    """Annualised capex (CNY per year) at the given option sizes."""
    total = 0.0
    for t in terms:
        value = t.factor * sizes[t.option]
        added = t.base - value if t.reduction else value - t.base
        total += t.annuity_cny_per_unit * max(0.0, added)
    return total
