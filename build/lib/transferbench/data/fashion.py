"""Fashion-MNIST read through torchvision."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from torchvision import datasets

from transferbench.data.domain import Domain
from transferbench.data.registry import DOMAINS
from transferbench.data.subset import select_classes
from transferbench.data.vision import idx_domain

URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"


@DOMAINS.register("fashion_mnist")
def fashion_mnist(
    root: Path, download: bool = True, cache_dir: str | None = None,
    classes: Sequence[int] | None = None,
) -> Domain:
    """Fashion-MNIST (Xiao et al., arXiv:1708.07747): 60k/10k 28×28 gray clothing images, from
    ``root/FashionMNIST/raw``; with ``classes``, only those classes, relabelled in that order."""
    domain = idx_domain(datasets.FashionMNIST, "Fashion-MNIST", root, URL, download, cache_dir)
    return domain if classes is None else select_classes(domain, classes, "Fashion-MNIST")
