"""Carriers balanced per node by the core (heat per zone, hydrogen per hub, …; electricity per
bus is built in). A carrier's declaration travels with the results (`results.nc` attribute
`carriers`, `run.json`), so reports loop over carriers instead of naming them."""

from __future__ import annotations

from dataclasses import dataclass

from ..units import parse


@dataclass
class Carrier:
    """An energy carrier balanced per node: Σ registered flows + unserved = 0 (electricity
    also has excess, net injections and the network). Results: `<node_dim>_unserved_<unit>`
    and `<node_dim>_price_cny_per_<energy unit>`."""

    name: str
    nodes: tuple[str, ...]
    node_dim: str
    unit: str                       # power unit suffix: mw | mw_th | mw_h2 | …
    unserved_penalty_cny_per_mwh: float | dict
    cost_name: str
    label: str = ""                 # "" = the name, capitalised

    def penalty_at(self, node: str) -> float:
        """CNY per MWh (of the carrier) unserved at `node` (one value or one per node)."""
        if isinstance(self.unserved_penalty_cny_per_mwh, dict):
            return float(self.unserved_penalty_cny_per_mwh[node])
        return float(self.unserved_penalty_cny_per_mwh)

    @property
    def energy_suffix(self) -> str:
        return self.unit.replace("mw", "mwh", 1)              # mw_h2 -> mwh_h2

    @property
    def unserved_var(self) -> str:
        return f"{self.node_dim}_unserved_{self.unit}"

    @property
    def price_var(self) -> str:
        return f"{self.node_dim}_price_cny_per_{self.energy_suffix}"

    @property
    def unserved_key(self) -> str:
        return f"unserved_{self.name}_mwh"

    def declaration(self) -> dict:
        """What a report needs to know of the carrier, from the results alone."""
        unit = parse(f"x_{self.unit}")
        return {"name": self.name, "label": self.label or self.name.capitalize(),
                "node_dim": self.node_dim, "power_unit": unit.symbol,
                "energy_unit": unit.energy.symbol, "price_var": self.price_var,
                "unserved_var": self.unserved_var, "unserved_key": self.unserved_key}


ELECTRICITY = Carrier("electricity", (), "bus", "mw", 0.0, "unserved_energy", "Electricity")
ELECTRICITY_DECLARATION = {**ELECTRICITY.declaration(), "unserved_key": "unserved_energy_mwh"}
