"""Window and block settings of a case: step counts and the checks that refuse what would be
rounded or ignored. Light on purpose (no model, no solver): `validate` runs them."""

from __future__ import annotations

import math
import re

from .errors import CaseError


def window_steps(case, system) -> tuple[int, int]:
    """(committed steps, look-ahead steps) per window; whole range when window_h is 0. The
    look-ahead is bounded by what is left of the range after the first window (more would
    only repeat the last step, where nothing happens)."""
    n, dt = system.n_steps, system.dt_h
    if not case.horizon.window_h:
        return n, 0
    commit = min(whole_steps(case, "horizon.window_h", case.horizon.window_h, dt), n)
    ahead = whole_steps(case, "horizon.lookahead_h", case.horizon.lookahead_h, dt)
    return commit, min(ahead, n - commit)


def whole_steps(case, key: str, hours: float, dt_h: float) -> int:
    """hours as a whole number of steps, or a CaseError naming the key (never rounded)."""
    steps = hours / dt_h
    if abs(steps - round(steps)) > 1e-9:
        raise CaseError(case.where(key), key, f"{hours:g} h is not a whole number of the "
                        f"profiles' {dt_h:g}-h steps", f"a multiple of {dt_h:g} h")
    return round(steps)


def blocks_used(case, system) -> int:
    """Blocks a run really uses: at most one per window, one without rolling windows."""
    if case.horizon.blocks < 2 or not case.horizon.window_h:
        return 1
    commit, _ = window_steps(case, system)
    return min(case.horizon.blocks, math.ceil(system.n_steps / commit))


SCHEDULER = re.compile(r"^(tcp|tls|inproc|ucx|ws|wss)://[\w.\-\[\]:]+$|^[\w.\-]+:\d+$")


def check_horizon(case, system, scheduler: str | None = None) -> None:
    """Window and block settings that would be rounded, ignored or reported as done without
    effect are refused, naming the key."""
    h = case.horizon
    window_steps(case, system)
    if h.blocks > 1 and not h.window_h:
        raise CaseError(case.where("horizon.blocks"), "horizon.blocks", f"{h.blocks} with "
                        "horizon.window_h = 0 (one window: nothing to split)",
                        "1, or rolling windows (horizon.window_h > 0)")
    if scheduler is not None:
        if h.blocks < 2 or not h.window_h:
            raise CaseError("--scheduler", "--scheduler", scheduler, "used only with "
                            "--blocks 2 or more and rolling windows (horizon.window_h > 0)")
        if not SCHEDULER.match(scheduler):
            raise CaseError("--scheduler", "--scheduler", scheduler,
                            "a dask scheduler address such as tcp://host:8786")
