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


def write_atomically(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Call ``write`` on a stream to a temporary file beside ``path``, then rename it to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_json(path: Path, payload: Any) -> None:
    """Write ``payload`` as indented JSON to ``path`` atomically."""
    text = json.dumps(payload, indent=2, sort_keys=False) + "\n"
    write_atomically(path, lambda stream: stream.write(text.encode()))


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
