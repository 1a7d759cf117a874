"""Digit domains read through torchvision: MNIST and USPS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from torchvision import datasets

from transferbench.data.cache import cache_folder
from transferbench.data.domain import Domain
from transferbench.data.registry import DOMAINS
from transferbench.data.vision import idx_domain, torchvision_domain

MNIST_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"
USPS_URL = "https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/multiclass/"


@DOMAINS.register("mnist")
def mnist(root: Path, download: bool = True, cache_dir: str | None = None) -> Domain:
    """MNIST (LeCun et al. 1998): 60k/10k 28×28 gray digits, from ``root/MNIST/raw``."""
    return idx_domain(datasets.MNIST, "MNIST", root, MNIST_URL, download, cache_dir)


@DOMAINS.register("usps")
def usps(root: Path, download: bool = True, cache_dir: str | None = None) -> Domain:
    """USPS (Hull 1994): 7,291/2,007 16×16 gray digits, from ``root/USPS/usps{,.t}.bz2``."""
    folder = root / "USPS"

    def read(train: bool, allow_download: bool) -> tuple[Any, Any]:
        split = datasets.USPS(str(folder), train=train, download=allow_download)
        return split.data, split.targets

    return torchvision_domain("USPS", folder, USPS_URL, read, download, cache_folder(root, cache_dir))
