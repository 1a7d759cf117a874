"""Kernels for the MMD estimators (Gretton et al., JMLR 2012) and DAN's multi-kernel family.

    Gaussian:  k_γ(x, y) = exp(−‖x − y‖² / γ)
    linear:    k(x, y) = ⟨x, y⟩
    DAN:       k = 1/(2r+1) · Σ_{u=−r..r} k_{γ_u},   γ_u = γ₀ · η^u

The multi-kernel family (Long et al., ICML 2015) is a convex combination of Gaussians (Σ β_u = 1),
here with equal weights β_u = 1/(2r+1). Scale: TLlib's ``MultipleKernelMaximumMeanDiscrepancy``
and ``JointMultipleKernelMaximumMeanDiscrepancy`` sum their five Gaussians (β_u = 1, the same
bandwidths γ₀/4 … 4γ₀ as r = 2, η = 2 here), so their MK-MMD and JMMD terms are ≈ 5× ours at equal
``trade_off``: our ``trade_off=5`` matches their ``trade_off=1``; its base bandwidth γ₀ is the mean (or median) of ‖z_i − z_j‖² over the
distinct pairs i < j of the pooled sample, detached so that no gradient flows through it, and η is
the multiplier.

A `Kernel` maps the pooled sample Z (source rows, then target rows) to its Gram matrix
K_ij = k(z_i, z_j), so that every block an estimator reads shares one bandwidth.
"""

from __future__ import annotations

from typing import Callable, Literal

import torch
from torch import nn

from transferbench.losses.precision import in_float32

Kernel = Callable[[torch.Tensor], torch.Tensor]
Statistic = Literal["mean", "median"]


@in_float32
def squared_distances(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """‖x_i − y_j‖² between the rows of x (n × d) and y (m × d), as an n × m matrix."""
    norms = x.pow(2).sum(1, keepdim=True) + y.pow(2).sum(1)
    return (norms - 2 * x @ y.T).clamp_min(0)


def gaussian_kernel(x: torch.Tensor, y: torch.Tensor, bandwidth: float) -> torch.Tensor:
    """exp(−‖x_i − y_j‖² / γ) between the rows of x and y."""
    return torch.exp(-squared_distances(x, y) / bandwidth)


@in_float32
def linear_kernel(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """⟨x_i, y_j⟩ between the rows of x and y."""
    return x @ y.T


def base_bandwidth(distances: torch.Tensor, statistic: Statistic = "mean") -> torch.Tensor:
    """Mean or median of a pooled sample's squared distances over pairs i < j, detached."""
    count = len(distances)
    rows, columns = torch.triu_indices(count, count, offset=1, device=distances.device)
    pairs = distances.detach()[rows, columns]
    base = pairs.mean() if statistic == "mean" else pairs.median()
    return base.clamp_min(torch.finfo(distances.dtype).tiny)


class GaussianKernel(nn.Module):
    """Gaussian kernel with a fixed bandwidth γ."""

    def __init__(self, bandwidth: float) -> None:
        super().__init__()
        self.bandwidth = bandwidth

    def forward(self, samples: torch.Tensor) -> torch.Tensor:
        return gaussian_kernel(samples, samples, self.bandwidth)


class LinearKernel(nn.Module):
    """Linear kernel; with it the biased MMD² is the squared distance between the means."""

    def forward(self, samples: torch.Tensor) -> torch.Tensor:
        return linear_kernel(samples, samples)


class MultipleGaussianKernel(nn.Module):
    """DAN's family: the mean of 2r+1 Gaussians with bandwidths γ₀ · η^u, u = −r..r."""

    def __init__(
        self, radius: int = 2, multiplier: float = 2.0, statistic: Statistic = "mean"
    ) -> None:
        super().__init__()
        if statistic not in ("mean", "median"):
            raise ValueError(f"statistic must be 'mean' or 'median', not {statistic!r}")
        self.radius, self.multiplier, self.statistic = radius, multiplier, statistic

    def bandwidths(self, distances: torch.Tensor) -> torch.Tensor:
        """The 2r+1 bandwidths for a pooled sample's matrix of squared distances."""
        exponents = torch.arange(
            -self.radius, self.radius + 1, device=distances.device, dtype=distances.dtype
        )
        return base_bandwidth(distances, self.statistic) * self.multiplier**exponents

    def forward(self, samples: torch.Tensor) -> torch.Tensor:
        distances = squared_distances(samples, samples)
        bandwidths = self.bandwidths(distances).reshape(-1, 1, 1)
        return torch.exp(-distances / bandwidths).mean(0)
