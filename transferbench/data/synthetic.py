"""Random images at a real task's size, for speed benchmarks that need no dataset (a GPU machine
without the data, ``scripts/bench_gpu.py``): the throughput of a network does not depend on what
its images show. Not a transfer problem: nothing here can be learnt."""

from __future__ import annotations

import torch

from transferbench.data.domain import Domain, Split
from transferbench.data.registry import DOMAINS


@DOMAINS.register("synthetic")
def synthetic(
    side: int = 256, channels: int = 3, classes: int = 31, train: int = 256, test: int = 64, seed: int = 0
) -> Domain:
    """``train`` and ``test`` uint8 images of ``channels`` × ``side`` × ``side`` with labels in
    0 … ``classes`` − 1, uniformly random from ``seed``."""
    generator = torch.Generator().manual_seed(seed)

    def split(count: int) -> Split:
        images = torch.randint(0, 256, (count, channels, side, side), dtype=torch.uint8, generator=generator)
        return Split(images, torch.randint(0, classes, (count,), generator=generator))

    return Domain(split(train), split(test))
