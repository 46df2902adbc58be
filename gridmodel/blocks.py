"""Time-parallel blocks: the range split into K chronological blocks solved at once on
dask.distributed (a local cluster, an existing scheduler, or — inside a sweep's worker —
the sweep's own cluster), then stitched into one run.

Each block starts `warmup_h` earlier (rounded up to whole windows) from the case's initial
state (table `initial_*` columns, storage at `initial_soc_pu`); the warm-up's windows are
solved and dropped, so commitment, output, start/stop history and storage and reservoir
contents at the block border come from the warm-up. Hydro has no seasonal energy budget to
split (inflow is a profile; reservoirs follow the daily rule `cyclic_each_window`); a
storage's end-of-run cyclic condition binds only in the block that reaches the end.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from pathlib import Path

from .checkpoint import Checkpoint
from .horizon import core_slice, solve_rolling
from .windows import window_steps


def block_spans(n_steps: int, commit: int, blocks: int, warmup_steps: int):
    """[(first, start, stop)]: block b keeps windows [start, stop) and solves from `first`
    (= start − warm-up, whole windows). Borders fall on window starts."""
    windows = math.ceil(n_steps / commit)
    blocks = max(1, min(blocks, windows))
    warm = math.ceil(warmup_steps / commit) * commit
    spans = []
    for b in range(blocks):
        start = (b * windows // blocks) * commit
        stop = min(n_steps, ((b + 1) * windows // blocks) * commit)
        spans.append((max(0, start - warm), start, stop))
    return spans


def solve_block(case, first: int, start: int, stop: int, checkpoint: tuple | None = None):
    """Worker task: one block (warm-up windows dropped). Returns (arrays, core, records,
    build_s, warmup_solve_s)."""
    from .model.techs import TECHNOLOGIES
    from .network.loader import system_from_case

    system = system_from_case(case, TECHNOLOGIES)
    cp = Checkpoint(Path(checkpoint[0]), checkpoint[1]) if checkpoint else None
    arrays, core, records, build_s = solve_rolling(case, system, checkpoint=cp,
                                                   span=(first, stop))
    warm = start - first
    keep = [r for r in records if r.start_step >= start]
    warm_s = sum(r.solve_time_s for r in records if r.start_step < start)
    return (_drop(arrays, warm), core_slice(core, slice(warm, None)), keep, build_s, warm_s)


def _steps_done(spans, results: dict, folder: Path | None, commit: int) -> int:
    """Kept steps solved so far: finished blocks whole, running ones by their checkpoints."""
    done = 0
    for i, (first, start, stop) in enumerate(spans):
        if i in results:
            done += stop - start
        elif folder is not None:
            windows = len(list((folder / f"block_{i:03d}").glob("window_*.json")))
            done += min(stop - start, max(0, windows * commit - (start - first)))
    return done


def _drop(arrays: dict, k: int) -> dict:
    return {name: da.isel(time=slice(k, None)) for name, da in arrays.items()}


def local_cluster(workers: int):
    """A local cluster of `workers` single-threaded processes, without dask's statistical
    profiler: it samples every worker every 10 ms, and its thread can log a traceback of its
    own (`'function' object has no attribute 'f_code'`) into a user's run."""
    import dask
    from dask.distributed import LocalCluster

    with dask.config.set({"distributed.worker.profile.enabled": False}):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                            dashboard_address=None)


@contextmanager
def dask_client(workers: int, scheduler: str | None = None):
    """The sweep's cluster when called inside a dask task, else an existing scheduler, else a
    local cluster of `workers` single-threaded processes."""
    from dask.distributed import Client, get_worker, worker_client

    try:
        get_worker()
        inside = True
    except ValueError:
        inside = False
    if inside:
        with worker_client() as client:
            yield client
    elif scheduler:
        with Client(scheduler, timeout="10s") as client:
            yield client
    else:
        with local_cluster(workers) as cluster, Client(cluster) as client:
            yield client


def solve_blocks(case, system, progress=None, checkpoint_folder: Path | None = None,
                 fingerprint: str = "", scheduler: str | None = None):
    """Solve the case as K blocks in parallel; same return shape as `solve_rolling`, plus
    the warm-up solve time."""
    import os

    from dask.distributed import wait

    from .horizon import _join, _join_core

    commit, _ = window_steps(case, system)
    h = case.horizon
    spans = block_spans(system.n_steps, commit, h.blocks, round(h.warmup_h / system.dt_h))
    workers = min(len(spans), os.cpu_count() or 1)
    results = {}
    with dask_client(workers, scheduler) as client:
        futures = {}
        for i, (first, start, stop) in enumerate(spans):
            cp = (str(checkpoint_folder / f"block_{i:03d}"), fingerprint) \
                if checkpoint_folder else None
            futures[client.submit(solve_block, case, first, start, stop, cp, pure=False)] = i
        pending = set(futures)
        while pending:  # poll: blocks report progress through their checkpoints
            try:
                done, pending = wait(pending, timeout=10, return_when="FIRST_COMPLETED")
            except TimeoutError:  # none finished yet: report the checkpoints' progress
                done = set()
            for future in done:
                results[futures[future]] = future.result()
            if progress:
                progress(_steps_done(spans, results, checkpoint_folder, commit),
                         system.n_steps)
    ordered = [results[i] for i in range(len(spans))]
    arrays = _join([r[0] for r in ordered])
    core = _join_core([r[1] for r in ordered])
    records = [rec for r in ordered for rec in r[2]]
    build_s = max(r[3] for r in ordered)
    return arrays, core, records, build_s, sum(r[4] for r in ordered)
