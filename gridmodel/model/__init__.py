"""Pyomo model: core (time, balances, objective) and one module per technology."""
