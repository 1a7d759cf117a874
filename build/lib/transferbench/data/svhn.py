"""SVHN read through torchvision."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from torchvision import datasets

from transferbench.data.cache import cache_folder
from transferbench.data.domain import Domain
from transferbench.data.registry import DOMAINS
from transferbench.data.vision import torchvision_domain

URL = "http://ufldl.stanford.edu/housenumbers/"


@DOMAINS.register("svhn")
def svhn(root: Path, download: bool = True, cache_dir: str | None = None) -> Domain:
    """SVHN (Netzer et al., NIPS 2011 workshop): 73,257/26,032 32×32 RGB house-number digits, from
    ``root/SVHN/{train,test}_32x32.mat``; torchvision maps the label 10 of digit 0 to 0."""
    folder = root / "SVHN"

    def read(train: bool, allow_download: bool) -> tuple[Any, Any]:
        split = datasets.SVHN(str(folder), split="train" if train else "test", download=allow_download)
        return split.data, split.labels

    return torchvision_domain("SVHN", folder, URL, read, download, cache_folder(root, cache_dir))
