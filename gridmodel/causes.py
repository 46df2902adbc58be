"""Curtailment causes, declared by the technologies that create them (`CAUSES`), and the
roles a technology reports after a run (`curtailment_roles` hook): forced MW that could not
go lower, or a sink at its limit. `attribution.py` splits each hour's curtailment over them.

Two causes belong to the method itself: `network` (curtailment behind a congested line) and
`other` (what no declared role explains)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FORCED, SINK = "forced", "sink"
AT_LIMIT_TOL_MW = 1e-3


@dataclass(frozen=True)
class Cause:
    name: str            # summary keys curtailment_<name>_mwh / _pct
    meaning: str         # one line for the reference and the workbook


@dataclass(frozen=True)
class Role:
    """What one technology contributed in each hour: forced MW or a sink at its limit."""
    cause: str
    kind: str            # FORCED | SINK
    mw: np.ndarray       # (time,)

    def __post_init__(self):
        if self.kind not in (FORCED, SINK):
            raise ValueError(f"curtailment role {self.cause}: kind {self.kind!r} not "
                             f"{FORCED!r} or {SINK!r}")


NETWORK = Cause("network", "curtailed behind a congested line: its bus price is below the "
                "hour's highest")
OTHER = Cause("other", "surplus no declared forced supply or sink at its limit explains")


def declared_causes(techs) -> tuple[Cause, ...]:
    """network, every technology's declared causes (build order, first declaration of a name
    wins: several technologies may create the same cause), other."""
    seen = {NETWORK.name: NETWORK}
    for tech in techs:
        for cause in getattr(tech, "CAUSES", ()):
            seen.setdefault(cause.name, cause)
    seen.setdefault(OTHER.name, OTHER)
    others = [c for n, c in seen.items() if n not in (NETWORK.name, OTHER.name)]
    return (NETWORK, *others, OTHER)


CONVERSION_LIMIT = Cause("conversion_limit", "converters (electric boilers, heat pumps, "
                         "electrolysers) drawing their maximum power")


def at_limit(cause: str, drawn_mw: np.ndarray, cap_mw: np.ndarray) -> Role:
    """A sink role: assets (rows of `drawn_mw`, asset × time) drawing their capacity
    `cap_mw` (asset,), weighted by that capacity."""
    cap = np.asarray(cap_mw, dtype=float)[:, None]
    return Role(cause, SINK, np.where(drawn_mw >= cap - AT_LIMIT_TOL_MW, cap, 0.0).sum(axis=0))
