"""Run folders: a marker says a folder is gridmodel's, a lock keeps one writer, nothing is
written outside the folder and no user file is replaced.

Layout: RUN/.gridmodel-run.json (marker: state running | complete), RUN/.lock (pid of the
writer), RUN/.checkpoint/ (finished windows of a running or interrupted run), and the run's
files, each written to a temporary name inside RUN and renamed into place.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
from pathlib import Path

from .errors import OutputExistsError

MARKER = ".gridmodel-run.json"
LOCK = ".lock"
CHECKPOINT = ".checkpoint"


class OutputError(OutputExistsError):
    """An output path that gridmodel will not write into."""


LEGACY_FILES = ("summary.json", "run.json", "case.resolved.toml")
DERIVED_FILES = ("calibration.md",)  # written beside a run by `gridmodel calibrate`


def is_run_folder(path: Path) -> bool:
    """Marked as gridmodel's, or a complete run folder written before markers existed."""
    path = Path(path)
    return (path / MARKER).is_file() or all((path / f).is_file() for f in LEGACY_FILES)


def _state(path: Path) -> str:
    if not (path / MARKER).is_file() and is_run_folder(path):
        return "complete"
    try:
        return json.loads((path / MARKER).read_text()).get("state", "unknown")
    except (OSError, ValueError, AttributeError):
        return "unknown"


def _alive(pid: int, since: float | None = None) -> bool:
    """A process with this pid runs now and (when `since` is known) was started before the
    lock was written: a pid reused by a later process does not hold an old lock."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError, ValueError):
        return False
    except PermissionError:
        pass  # someone else's process: alive, if it is old enough
    started = _start_time(pid)
    return since is None or started is None or started <= since + 1.0


def _start_time(pid: int) -> float | None:
    """A process's start (epoch seconds) from /proc, None where that cannot be read."""
    try:
        ticks = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
        boot = next(float(line.split()[1]) for line in Path("/proc/stat").read_text()
                    .splitlines() if line.startswith("btime"))
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def lock_state(path: Path) -> tuple[str, str]:
    """('free' | 'live' | 'doubtful', what the lock says). `live`: a running writer on this
    host; `doubtful`: a lock that cannot be confirmed (unreadable, another host) — cleared
    only with --force; a lock whose writer is gone is free."""
    try:
        owner = json.loads((path / LOCK).read_text())
    except FileNotFoundError:
        return "free", ""
    except (OSError, ValueError):
        return "doubtful", f"an unreadable {LOCK}"
    if not isinstance(owner, dict) or not isinstance(owner.get("pid"), int):
        return "doubtful", f"a {LOCK} without a process id"
    pid, host = owner["pid"], owner.get("host")
    if host != socket.gethostname():
        return "doubtful", f"a {LOCK} of pid {pid} on host {host!r}"
    since = owner.get("since")
    alive = _alive(pid, since if isinstance(since, (int, float)) else None)
    return ("live", f"pid {pid}") if alive else ("free", "")


def _listed_files(path: Path) -> list:
    """The files a run's marker says it wrote (relative, inside the folder); a folder from
    before the list, or with a damaged marker, lists the files every run writes."""
    try:
        files = json.loads((path / MARKER).read_text()).get("files")
    except (OSError, ValueError, AttributeError):
        files = None
    if not isinstance(files, list):
        files = list(LEGACY_FILES) + ["results.nc"]
    files = list(files) + list(DERIVED_FILES)
    root = path.resolve()
    return [f for f in files if isinstance(f, str) and (path / f).resolve().parent
            .is_relative_to(root) and f not in (LOCK, MARKER)]


class RunFolder:
    """Open with `prepare()`, write files with `write_text`/`commit`, always `release()`."""

    def __init__(self, path: Path, force: bool = False, resume: bool = False):
        self.path, self.force, self.resume = Path(path), force, resume
        self.locked = False
        self.written: set = set()

    @property
    def checkpoint(self) -> Path:
        return self.path / CHECKPOINT

    def check(self) -> None:
        """Refuse (OutputError, nothing changed) unless this folder may be written."""
        p = self.path
        if p.is_symlink():
            raise OutputError(f"{p} is a symbolic link; give a real folder for --out")
        if p.exists() and not p.is_dir():
            raise OutputError(f"{p} is a file, not a folder; give a folder for --out")
        if not p.exists() or not any(p.iterdir()):
            return
        lock, said = lock_state(p)
        if lock == "live":
            raise OutputError(f"{p} is being written by another run ({said}); wait for "
                              f"it or choose another --out")
        if lock == "doubtful" and not self.force:
            raise OutputError(f"{p} has {said}; if no run is writing this folder, pass "
                              "--force to clear the lock")
        if not is_run_folder(p):
            raise OutputError(f"{p} exists and is not a gridmodel run folder (no {MARKER}); "
                              "choose another --out (nothing was changed)")
        state = _state(p)
        if state == "complete" and not self.force:
            raise OutputError(f"{p} exists; pass --force to replace it (nothing was "
                              "overwritten)")
        if state != "complete" and not (self.force or self.resume):
            raise OutputError(f"{p} holds an interrupted run; continue it with --resume or "
                              "replace it with --force")

    def prepare(self) -> None:
        self.check()
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create {self.path}: {exc.strerror or exc}") from None
        self._lock()
        if self.force and not self.resume:
            self._clear()
        self._mark("running")

    def _lock(self) -> None:
        lock = self.path / LOCK
        for _ in range(2):
            try:
                fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                state = lock_state(self.path)[0]
                if state == "free" or (state == "doubtful" and self.force):
                    lock.unlink(missing_ok=True)  # stale: its writer is gone
                    continue
                raise OutputError(f"{self.path} is being written by another run; wait for it "
                                  "or choose another --out") from None
            except OSError as exc:
                raise OutputError(f"cannot write into {self.path}: {exc.strerror or exc}") \
                    from None
            with os.fdopen(fd, "w") as f:
                json.dump({"pid": os.getpid(), "host": socket.gethostname(),
                           "since": time.time()}, f)
            self.locked = True
            return
        raise OutputError(f"{self.path}: could not take the lock {LOCK}")

    def _clear(self) -> None:
        """Remove what an earlier run wrote (the files its marker lists, its checkpoint);
        whatever else is in the folder (a user's notes, analysis) stays."""
        shutil.rmtree(self.checkpoint, ignore_errors=True)
        for name in _listed_files(self.path):
            item = self.path / name
            if item.is_file() or item.is_symlink():
                item.unlink()

    def _mark(self, state: str) -> None:
        files = sorted(set(_listed_files(self.path)) | self.written) \
            if self.resume else sorted(self.written)
        self.write_text(MARKER, json.dumps({"tool": "gridmodel", "state": state,
                                            "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
                                            "files": files}) + "\n")

    def write_text(self, name: str, text: str) -> None:
        self.replace(name, lambda tmp: tmp.write_text(text, encoding="utf-8"))

    def replace(self, name: str, write) -> None:
        """`write(tmp_path)` then rename onto RUN/name (readers never see half a file)."""
        target = self.path / name
        if name != MARKER:
            self.written.add(name)
        tmp = target.parent / f".{target.name}.{os.getpid()}.tmp"
        try:
            write(tmp)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

    def complete(self) -> None:
        shutil.rmtree(self.checkpoint, ignore_errors=True)
        self._mark("complete")

    def release(self) -> None:
        if self.locked:
            (self.path / LOCK).unlink(missing_ok=True)
            self.locked = False
