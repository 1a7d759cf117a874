"""The inter-twinning moons toy problem of the DANN paper (Ganin et al., JMLR 2016, §5.1).

The source domain is two labelled half-moons; the target domain is the same distribution rotated
about the source's centre, so a classifier fit on the source misclassifies the moons' tips. Both are
generated in memory, so their builders take neither ``root`` nor ``download``: the task reads no files.
"""

from __future__ import annotations

import math

import torch
from sklearn.datasets import make_moons

from transferbench.data.domain import Domain, Split
from transferbench.data.registry import DOMAINS

_CENTRE = torch.tensor([0.5, 0.25])


def _sample(n: int, noise: float, seed: int, degrees: float) -> Split:
    points, labels = make_moons(n_samples=n, noise=noise, random_state=seed)
    points = torch.as_tensor(points, dtype=torch.float32) - _CENTRE
    angle = math.radians(degrees)
    rotation = torch.tensor(
        [[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]]
    )
    return Split(points @ rotation.T, torch.as_tensor(labels, dtype=torch.int64))


def _domain(samples: int, noise: float, seed: int, degrees: float) -> Domain:
    return Domain(
        train=_sample(samples, noise, seed, degrees),
        test=_sample(samples, noise, seed + 1, degrees),
    )


@DOMAINS.register("moons")
def moons(samples: int = 1000, noise: float = 0.1, seed: int = 0) -> Domain:
    """Source moons, centred at the origin."""
    return _domain(samples, noise, seed, degrees=0.0)


@DOMAINS.register("moons_rotated")
def moons_rotated(samples: int = 1000, noise: float = 0.1, seed: int = 0, rotation: float = 30.0) -> Domain:
    """Target moons: the source distribution rotated by ``rotation`` degrees."""
    return _domain(samples, noise, seed + 10, degrees=rotation)
