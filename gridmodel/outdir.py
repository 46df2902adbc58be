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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _lock_owner(path: Path) -> int | None:
    """pid of a live writer on this host, None when unlocked or the lock is stale."""
    try:
        owner = json.loads((path / LOCK).read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return -1  # unreadable lock: being written right now
    pid = owner.get("pid") if isinstance(owner, dict) else None
    if owner.get("host") != socket.gethostname() or not isinstance(pid, int):
        return pid if isinstance(pid, int) else -1
    return pid if _alive(pid) else None


class RunFolder:
    """Open with `prepare()`, write files with `write_text`/`commit`, always `release()`."""

    def __init__(self, path: Path, force: bool = False, resume: bool = False):
        self.path, self.force, self.resume = Path(path), force, resume
        self.locked = False

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
        owner = _lock_owner(p)
        if owner is not None:
            raise OutputError(f"{p} is being written by another run (pid {owner}); wait for "
                              f"it or choose another --out")
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
                if _lock_owner(self.path) is None:  # stale: its writer is gone
                    lock.unlink(missing_ok=True)
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
        """Remove an earlier run's content (the folder is marked as gridmodel's)."""
        for item in self.path.iterdir():
            if item.name == LOCK:
                continue
            if item.is_dir() and not item.is_symlink():
                shutil.rmtree(item)
            else:
                item.unlink()

    def _mark(self, state: str) -> None:
        self.write_text(MARKER, json.dumps({"tool": "gridmodel", "state": state,
                                            "time": time.strftime("%Y-%m-%dT%H:%M:%S")}) + "\n")

    def write_text(self, name: str, text: str) -> None:
        self.replace(name, lambda tmp: tmp.write_text(text, encoding="utf-8"))

    def replace(self, name: str, write) -> None:
        """`write(tmp_path)` then rename onto RUN/name (readers never see half a file)."""
        target = self.path / name
        tmp = self.path / f".{name}.{os.getpid()}.tmp"
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
