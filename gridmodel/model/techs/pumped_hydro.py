"""Pumped hydro: pump (in) and turbine (out) power, reservoir energy, round trip ≈ 0.75
(√0.75 each way by default, shared/reference: D S30). Run as an LP: with losses, pumping and
generating at once never pays, so no mode binaries are needed."""

from ._storage import ElectricStore

TECH = ElectricStore("pumped_hydro", 0.75 ** 0.5, 0.75 ** 0.5, labels=("pump", "generation"))
