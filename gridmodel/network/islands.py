"""The island check on a network's topology, as plain data (no pandapower): shared by the
fresh parse (`dc`) and the cached one (`parsed`, `loader`)."""

from __future__ import annotations

from ..errors import NetworkError


def check_islands(bus_names: dict[int, str], joined: frozenset[str], used: set[str],
                  where) -> None:
    """Every bus that carries an asset is joined to the slack."""
    island = sorted(name for name in bus_names.values() if name in used and name not in joined)
    if island:
        raise NetworkError(where, "bus", f"buses {island[:8]} carry assets but no line or "
                           "transformer joins them to the slack", "one connected network")
