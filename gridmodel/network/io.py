"""Read and write pandapower networks (JSON) with clear errors."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import pandapower as pp

from ..errors import NetworkError

# pandapower logs a numba hint on every power flow; gridmodel does not need numba.
logging.getLogger("pandapower").setLevel(logging.ERROR)


def load_net(path: Path | str):
    path = Path(path)
    if not path.is_file():
        raise NetworkError(path, "(file)", "network file not found", "a pandapower JSON file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pp.from_json(str(path))
    except Exception as exc:  # pandapower raises many types on bad JSON
        raise NetworkError(path, "(file)", f"cannot read: {exc}", "a pandapower JSON file") from None


def save_net(net, path: Path | str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    pp.to_json(net, str(path))
