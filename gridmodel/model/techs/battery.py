"""Batteries (pandapower `storage`): charge/discharge power, energy, efficiencies (0.95 each
way by default), self-discharge, initial and cyclic state of charge."""

from ._storage import ElectricStore

TECH = ElectricStore("battery", 0.95, 0.95)
