"""A labelled source pool made of several gray digit and clothing datasets, one label space each
(their labels offset one after the other), for selective joint fine-tuning (Ge & Yu, CVPR 2017)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import torch

from transferbench.data.digits import mnist, usps
from transferbench.data.domain import Domain, Split, conform_images
from transferbench.data.fashion import fashion_mnist
from transferbench.data.mnistm import mnistm
from transferbench.data.registry import DOMAINS
from transferbench.errors import UserError

FASHION_A, FASHION_B = (0, 1, 5, 8, 9), (2, 3, 4, 6, 7)
#: The datasets a pool may hold: each one's builder from (root, download, cache_dir) and class count.
MEMBERS: dict[str, tuple[Callable[[Path, bool, str | None], Domain], int]] = {
    "mnist": (lambda root, download, cache: mnist(root, download, cache), 10),
    "usps": (lambda root, download, cache: usps(root, download, cache), 10),
    "mnistm": (lambda root, download, cache: mnistm(root, download, cache_dir=cache), 10),
    "fashion_mnist_a": (lambda root, download, cache: fashion_mnist(root, download, cache, FASHION_A), 5),
    "fashion_mnist_b": (lambda root, download, cache: fashion_mnist(root, download, cache, FASHION_B), 5),
}


@DOMAINS.register("source_pool")
def source_pool(
    root: Path, download: bool = True, cache_dir: str | None = None,
    members: Sequence[str] = ("mnist", "fashion_mnist_a", "mnistm"), per_member: int = 10000,
) -> Domain:
    """The first ``per_member`` training and test images of each member dataset, 28×28 gray (MNIST-M
    converted to gray), labelled in one space: the first member's classes first, then the next
    one's, offset by the classes before it (mnist 0-9, fashion_mnist_a 10-14, mnistm 15-24)."""
    unknown = [name for name in members if name not in MEMBERS]
    if unknown:
        raise UserError(f"dataset.options.members: unknown {unknown[0]}; choose from {', '.join(MEMBERS)}")
    parts, offset = [], 0
    for name in members:
        build, classes = MEMBERS[name]
        domain = build(root, download, cache_dir)
        parts.append([_first(split, per_member, offset) for split in (domain.train, domain.test)])
        offset += classes
    return Domain(*(Split(torch.cat([p.inputs for p in split]), torch.cat([p.labels for p in split]))
                    for split in zip(*parts)))


def _first(split: Split, count: int, offset: int) -> Split:
    gray = conform_images(Split(split.inputs[:count], split.labels[:count]), 28, 1)
    return Split(gray.inputs, gray.labels + offset)
