"""Atomic writes (a reader sees the old file or the new one, never half of either), and reading
back a torch file with a one-line error."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable, IO

import torch

from transferbench.errors import UserError, first_line


#: What to do when a run's file cannot be written.
FREE_SPACE = (
    "free disk space or make the folder writable, then run the same command again (a run continues "
    "from its last checkpoint)"
)


def write_atomically(path: Path, write: Callable[[IO[bytes]], object], fix: str = FREE_SPACE) -> None:
    """Call ``write`` on a stream to a temporary file beside ``path``, then rename it to ``path``;
    a full disk or an unwritable folder is one ``UserError`` line ending with ``fix``, and leaves
    ``path`` as it was."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise _unwritable(path, error, fix) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _unwritable(path, error, fix) from None
        raise


def _unwritable(path: Path, error: OSError, fix: str) -> UserError:
    return UserError(f"cannot write {path} ({error.strerror or first_line(error)}); {fix}")


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    write_atomically(path, lambda stream: stream.write(text.encode()))


def write_json(path: Path, payload: Any) -> None:
    """Write ``payload`` as indented JSON to ``path`` atomically."""
    write_text(path, json.dumps(payload, indent=2, sort_keys=False) + "\n")


def save_torch(path: Path, payload: Any) -> None:
    """``torch.save`` to ``path`` atomically."""
    write_atomically(path, lambda stream: torch.save(payload, stream))


def load_torch(path: Path, name: str, hint: str = "") -> Any:
    """``torch.load`` of ``path`` onto the CPU (tensors and plain containers only), or one
    ``UserError`` line naming ``name`` and ending with ``hint``."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # a missing, truncated or foreign file fails in many ways
        raise UserError(f"cannot read {name} ({first_line(error)}){hint}") from error
