"""A run directory's files, shared by the writers (engine) and readers (analysis, models), and
the exclusive lock that makes one run at a time the owner of a directory."""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from transferbench.errors import UserError, first_line

RESULTS_FILE = "results.json"
CHECKPOINT_FILE = "checkpoint.pt"
LOCK_FILE = ".lock"
LOG_FILE = "train.log"
#: What ``files.write_atomically`` leaves behind when the process is killed mid-write.
TEMPORARY_PATTERN = ".*.tmp"

_held: dict[Path, int] = {}


def read_results(run_dir: Path) -> dict[str, Any] | None:
    """``run_dir/results.json``, None if there is none, or one ``UserError`` line if it is unreadable."""
    path = run_dir / RESULTS_FILE
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UserError(
            f"cannot read {path} ({first_line(error)}); move it away or delete {run_dir} to run again"
        ) from None


def completed_results(run_dir: Path) -> dict[str, Any] | None:
    """The results of a finished run in ``run_dir``, or None if it has not finished."""
    results = read_results(run_dir)
    return results if results is not None and results.get("status") == "completed" else None


@contextmanager
def exclusive_run_dir(run_dir: Path) -> Iterator[None]:
    """Hold ``run_dir`` for this process: a second run into the same folder (another process)
    stops with one line before it writes anything. Re-entrant within one process."""
    key = run_dir.resolve()
    if key in _held:
        yield
        return
    _held[key] = _lock(run_dir)
    try:
        yield
    finally:
        os.close(_held.pop(key))


def _lock(run_dir: Path) -> int:
    """An open descriptor of ``run_dir/.lock`` holding an exclusive ``flock``."""
    path = run_dir / LOCK_FILE
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise UserError(
            f"cannot write to the run folder {run_dir} ({error.strerror}); choose a writable folder "
            "with hydra.run.dir (hydra.sweep.dir for sweeps)"
        ) from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(descriptor, 32).decode(errors="replace").strip() or "unknown"
        os.close(descriptor)
        raise UserError(
            f"{run_dir} is in use by another run (process {holder}); wait for it to end, or give "
            "this run its own folder with hydra.run.dir"
        ) from None
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
    return descriptor


def in_use(run_dir: Path) -> bool:
    """Whether a live process holds ``run_dir`` (a run in progress, not a killed one)."""
    if run_dir.resolve() in _held:
        return True
    if not (run_dir / LOCK_FILE).is_file():
        return False
    descriptor = os.open(run_dir / LOCK_FILE, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)


def remove_temporary_files(run_dir: Path) -> list[Path]:
    """Delete what a killed atomic write left in ``run_dir`` (only while holding its lock)."""
    orphans = sorted(run_dir.glob(TEMPORARY_PATTERN))
    for path in orphans:
        path.unlink(missing_ok=True)
    return orphans
