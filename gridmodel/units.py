"""Unit vocabulary: every name ends in its unit; DataArrays carry attrs['units'].

A unit is parsed, not listed: a base (`mw`, `mwh`, `cny_per_mwh`, `t`, …) optionally followed
by a carrier tag (`_th` heat, `_h2` hydrogen, any new carrier's tag), so a new carrier needs no
edit here. `Unit.kind` says how a series of it adds up over time: power × dt_h (energy), a
quantity summed as it is (MWh, t, CNY, counts), or not at all (prices, shares, states).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# base suffix -> (symbol, kind); the longest base that matches wins
BASES = {
    "mw": ("MW", "power"),
    "mwh": ("MWh", "energy"),
    "cny": ("CNY", "quantity"),
    "cny_per_mwh": ("CNY/MWh", "intensive"),
    "cny_per_mw": ("CNY/MW/h", "intensive"),
    "cny_per_h": ("CNY/h", "intensive"),
    "t": ("t", "quantity"),
    "t_per_mwh": ("t/MWh", "intensive"),
    "h": ("h", "quantity"),
    "pu": ("pu", "intensive"),
    "pct": ("%", "intensive"),
    "c": ("degC", "intensive"),
    "s": ("s", "intensive"),
    "count": ("1", "quantity"),
    "mw_per_h": ("MW/h", "intensive"),
}
TAGGED = ("mw", "mwh", "cny_per_mwh")    # bases a carrier tag may follow (MW_th, MWh_H2 …)
KINDS = ("power", "energy", "quantity", "intensive")
_TAG = r"(?:_([a-z][a-z0-9]{0,5}))?"
_PATTERNS = [(base, re.compile(rf"(?:^|_){base}{_TAG if base in TAGGED else ''}$"))
             for base in sorted(BASES, key=len, reverse=True)]  # longest base first


@dataclass(frozen=True)
class Unit:
    symbol: str      # MW, MWh_th, CNY/MWh_H2, t …
    kind: str        # one of KINDS
    tag: str = ""    # carrier tag: "" (electricity), "th", "h2", …

    def total(self, values_sum: float, dt_h: float) -> float:
        """What a sum of values over time steps means: energy for power, the sum for
        quantities (MWh, t, CNY, counts). Intensive units do not add up."""
        if self.kind == "intensive":
            raise ValueError(f"a sum of {self.symbol} over time means nothing")
        return values_sum * dt_h if self.kind == "power" else values_sum

    @property
    def energy(self) -> Unit:
        """The energy unit a power unit integrates to (MW_H2 -> MWh_H2)."""
        if self.kind != "power":
            return self
        return Unit(_tagged("MWh", self.tag), "energy", self.tag)


def _tagged(symbol: str, tag: str) -> str:
    # th (thermal) keeps its lower-case subscript; other tags are chemical symbols (H2)
    return symbol if not tag else f"{symbol}_{tag if tag == 'th' else tag.upper()}"


def parse(name: str) -> Unit:
    """The unit of a variable or key name from its suffix (`heat_mw_th`, `h2_cny_per_mwh_h2`)."""
    for base, pattern in _PATTERNS:
        match = pattern.search(name)
        if match:
            symbol, kind = BASES[base]
            tag = match.group(1) if base in TAGGED and match.group(1) else ""
            return Unit(_tagged(symbol, tag), kind, tag)
    if name in ("on", "startup", "shutdown"):
        return Unit("1", "quantity")
    raise KeyError(f"name {name!r} does not end in a known unit suffix")


def from_symbol(symbol: str) -> Unit:
    """The unit of an attrs['units'] string (MW_H2 -> power)."""
    base, _, tag = symbol.partition("_")
    for suffix, (sym, kind) in BASES.items():
        if sym == base and (not tag or suffix in TAGGED):
            return Unit(symbol, kind, tag.lower())
    return Unit(symbol, "intensive")


def units_of(name: str) -> str:
    """Units implied by a variable name's suffix (longest matching suffix wins)."""
    return parse(name).symbol


def is_power(unit: str) -> bool:
    """A rate of energy of any carrier (MW, MW_th, MW_H2 …): summed over time it needs dt_h."""
    return from_symbol(unit).kind == "power"
