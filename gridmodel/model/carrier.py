"""Carriers balanced per node by the core (heat per zone, …; electricity is built in)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Carrier:
    """An energy carrier balanced per node: Σ registered flows + unserved = 0 (electricity
    also has excess, net injections and the network). Results: `<node_dim>_unserved_<unit>`."""

    name: str
    nodes: tuple[str, ...]
    node_dim: str
    unit: str                       # mw | mw_th
    unserved_penalty_cny_per_mwh: float
    cost_name: str
