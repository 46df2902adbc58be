"""Plan blocks on a dask cluster: one actor per worker holds a contiguous share of the
blocks (built there, from its own probe builds) and re-solves them from their bases at
each iteration's sizes; only sizes, budgets and block solutions travel."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .linear import BudgetConstants


@dataclass
class BlockInfo(BudgetConstants):
    """What the master needs of a block held elsewhere: its budgets' constants in x."""

    budgets: tuple
    const0: np.ndarray
    slope: np.ndarray


class BlockActor:
    """Lives on a worker: block LPs by problem key."""

    def __init__(self):
        self.blocks: dict = {}

    def build(self, key: str, args: tuple, starts: list) -> list:
        from .problem import build_blocks

        blocks = build_blocks(*args, starts)
        self.blocks[key] = blocks
        return [(b.budgets, b.const0, b.slope) for b in blocks]

    def solve(self, key: str, x, budget) -> list:
        from .benders import solve_blocks

        return solve_blocks(self.blocks[key], np.asarray(x), np.asarray(budget))


class Pool:
    """Actors on the client's workers; `build` splits the blocks among them."""

    def __init__(self, client, workers: int):
        self.actors = [client.submit(BlockActor, actor=True, pure=False).result()
                       for _ in range(workers)]

    def build(self, args: tuple, starts: list, key: str):
        chunks = [c for c in np.array_split(np.arange(len(starts)), len(self.actors)) if len(c)]
        futures = [a.build(key, args, [starts[i] for i in c])
                   for a, c in zip(self.actors, chunks)]
        infos = [BlockInfo(*info) for f in futures for info in f.result()]

        def solve(x, budget):
            calls = [a.solve(key, x.tolist(), np.asarray(budget)[c].tolist())
                     for a, c in zip(self.actors, chunks)]
            return [s for call in calls for s in call.result()]
        return infos, solve
