"""`pyo`: pyomo.environ, imported when a model is first built. The technology modules are
read for their declarations by `validate`, `describe` and the reporting commands, which need
no Pyomo (its import is ≈ 0.7 s of a command that should answer at once)."""

from __future__ import annotations

import importlib


class _Pyomo:
    def __getattr__(self, name: str):
        value = getattr(importlib.import_module("pyomo.environ"), name)
        setattr(self, name, value)  # later lookups are plain attributes
        return value


pyo = _Pyomo()
