"""The cache folder: decoded datasets and checksum stamps, written atomically.

Decoding some datasets (68k PNGs for MNIST-M) takes far longer than reading a saved tensor, so
loaders keep their uint8 tensors here, under a name keyed by a checksum of their sources.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import IO, Callable

import torch

from transferbench.data.domain import Domain, Split
from transferbench.files import write_atomically

FOLDER_NAME = "transferbench-cache"


def cache_folder(root: Path, configured: str | Path | None = None) -> Path:
    """``configured``, else ``root/transferbench-cache`` when ``root`` is writable, else
    ``~/.cache/transferbench``."""
    if configured:
        return Path(configured).expanduser()
    if _writable(root):
        return root / FOLDER_NAME
    return Path.home() / ".cache" / "transferbench"


def _writable(folder: Path) -> bool:
    """Whether ``folder`` (or its nearest existing parent) may be written.

    A folder whose mode has no write bit counts as read-only even for root, who could write it.
    """
    existing = next(path for path in (folder.absolute(), *folder.absolute().parents) if path.exists())
    return os.access(existing, os.W_OK) and bool(existing.stat().st_mode & stat.S_IWUSR)


def cache_key(*parts: object) -> str:
    """A short hex key that changes whenever any of ``parts`` does."""
    return hashlib.sha256("\n".join(map(str, parts)).encode()).hexdigest()[:16]


def write_cache_file(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write a cache file atomically; an unwritable cache folder is a user error."""
    write_atomically(path, write, fix="set dataset.options.cache_dir to a writable folder")


def cached_domain(path: Path, build: Callable[[], Domain]) -> Domain:
    """The domain saved at ``path``; on the first call ``build()`` it and save it there."""
    if path.is_file():
        saved = torch.load(path, weights_only=True)
        return Domain(Split(**saved["train"]), Split(**saved["test"]))
    domain = build()
    payload = {
        name: {"inputs": split.inputs, "labels": split.labels}
        for name, split in (("train", domain.train), ("test", domain.test))
    }
    write_cache_file(path, lambda stream: torch.save(payload, stream))
    return domain
