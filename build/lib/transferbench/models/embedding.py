"""Fixed-length embeddings from named layers of a network, and their normalisations.

Off-the-shelf CNN features: DeCAF (Donahue et al., ICML 2014) classifies one layer's activations
with a linear classifier, Razavian et al. (CVPR 2014 Workshops) L2-normalise them first. The
full-network embedding (Garcia-Gasulla et al., ICBK 2018) concatenates the spatially averaged
outputs of many layers, standardises every feature with statistics of the training set,
z = (x − μ) / σ, and discretises z to {−1, 0, 1}: 1 where z > 0.15, −1 where z < −0.25, else 0.
"""

from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

POOLINGS = ("avg", "max", "flatten")
NORMALIZATIONS = ("none", "l2", "standardize", "discretize")
FNE_THRESHOLDS = (-0.25, 0.15)


def pool(activations: torch.Tensor, pooling: str) -> torch.Tensor:
    """Conv maps ``(N, C, H, W)`` → ``(N, C)`` by spatial mean (``avg``) or ``max``, or
    ``(N, C·H·W)`` (``flatten``); vectors ``(N, D)`` pass unchanged."""
    if activations.dim() <= 2 or pooling == "flatten":
        return activations.flatten(1)
    maps = activations.flatten(2)
    return maps.mean(dim=2) if pooling == "avg" else maps.amax(dim=2)


def l2_per_layer(layers: Sequence[torch.Tensor]) -> torch.Tensor:
    """Each layer's vector scaled to unit L2 norm, then concatenated."""
    return torch.cat([F.normalize(layer, dim=1) for layer in layers], dim=1)


def standardize(features: torch.Tensor, mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """Per-feature z-values; a feature that is constant on the training set (σ = 0) becomes 0."""
    varies = std > 0
    return torch.where(varies, (features - mean) / torch.where(varies, std, 1.0), 0.0)


def discretize(z: torch.Tensor, low: float, high: float) -> torch.Tensor:
    """1 where z > ``high``, −1 where z < ``low``, 0 in between."""
    return (z > high).to(z.dtype) - (z < low).to(z.dtype)


class Embedding(nn.Module):
    """Pooled outputs of ``layers``, concatenated and normalised.

    ``normalization``: ``none``; ``l2`` per layer; ``standardize`` per feature with the mean and
    (population) standard deviation that :meth:`fit` measures on the training features; or
    ``discretize`` the standardised values at ``thresholds`` (the full-network embedding).
    """

    mean: torch.Tensor
    std: torch.Tensor

    def __init__(
        self, layers: Sequence[str], width: int, pooling: str = "avg", normalization: str = "l2",
        thresholds: Sequence[float] = FNE_THRESHOLDS,
    ) -> None:
        super().__init__()
        self.layers, self.pooling, self.normalization = list(layers), pooling, normalization
        self.thresholds = tuple(thresholds)
        self.register_buffer("mean", torch.zeros(width))
        self.register_buffer("std", torch.ones(width))

    def pooled(self, blocks: dict[str, torch.Tensor]) -> list[torch.Tensor]:
        """The pooled output of every chosen layer, from a forward pass's ``blocks``."""
        return [pool(blocks[layer], self.pooling) for layer in self.layers]

    def fit(self, layers: Sequence[torch.Tensor]) -> None:
        """Measure the per-feature statistics on the pooled training features."""
        std, mean = torch.std_mean(torch.cat(layers, dim=1), dim=0, correction=0)
        self.mean.copy_(mean)
        self.std.copy_(std)

    def forward(self, layers: Sequence[torch.Tensor]) -> torch.Tensor:
        if self.normalization == "l2":
            return l2_per_layer(layers)
        features = torch.cat(layers, dim=1)
        if self.normalization == "none":
            return features
        z = standardize(features, self.mean, self.std)
        return z if self.normalization == "standardize" else discretize(z, *self.thresholds)
