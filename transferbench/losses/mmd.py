"""Maximum mean discrepancy estimators (Gretton et al., JMLR 2012) and their DAN and JAN forms.

For source rows x_1..x_n, target rows y_1..y_m and a kernel k:

    biased (V-statistic):    MMD²_b = 1/n² Σ_ij k(x_i, x_j) + 1/m² Σ_ij k(y_i, y_j)
                                      − 2/(nm) Σ_ij k(x_i, y_j)
    unbiased (U-statistic):  MMD²_u, the same with i ≠ j in the two within-domain sums, which
                             are divided by n(n − 1) and m(m − 1) instead
    linear-time (Lemma 14, n = m):
                             MMD²_l = 1/⌊n/2⌋ Σ_i h(z_{2i−1}, z_{2i}),   z_i = (x_i, y_i),
                             h(z, z') = k(x, x') + k(y, y') − k(x, y') − k(x', y)

MK-MMD (DAN; Long et al., ICML 2015) takes k from the multi-kernel family of `kernels.py` and,
with `linear`, the streaming estimator MMD²_l, which uses each example in O(1) terms.

JMMD (JAN; Long et al., ICML 2017) compares the joint distributions of several layers
z = (z¹, …, z^L), e.g. features and softmax outputs, with the product kernel

    k(z, z') = Π_ℓ k^ℓ(z^ℓ, z'^ℓ)

in any of the estimators above. JAN-A (same paper) passes each layer through a learnable map θ_ℓ
first and plays min_f max_θ JMMD(θ(z)): a gradient reversal before and after θ_ℓ makes θ ascend
the discrepancy, giving a richer family of test functions, while the features still descend it.
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from transferbench.losses.distributed import over_all_processes
from transferbench.losses.grl import reverse_gradient
from transferbench.losses.kernels import Kernel, MultipleGaussianKernel


def _within_mean(block: torch.Tensor, unbiased: bool) -> torch.Tensor:
    """Mean of a within-domain Gram block, without its diagonal when unbiased."""
    if not unbiased:
        return block.mean()
    count = len(block)
    if count < 2:
        raise ValueError("the unbiased estimator needs at least two examples per domain")
    return (block.sum() - block.diagonal().sum()) / (count * (count - 1))


def _quadratic(gram: torch.Tensor, source_count: int, unbiased: bool) -> torch.Tensor:
    """MMD²_b or MMD²_u from the Gram matrix of the pooled sample."""
    source, target = slice(None, source_count), slice(source_count, None)
    return (
        _within_mean(gram[source, source], unbiased)
        + _within_mean(gram[target, target], unbiased)
        - 2 * gram[source, target].mean()
    )


def _linear(gram: torch.Tensor, source_count: int) -> torch.Tensor:
    """MMD²_l from the Gram matrix of the pooled sample, over quadruples (x, x', y, y')."""
    target_count = len(gram) - source_count
    if source_count != target_count or source_count < 2:
        raise ValueError(
            "the linear-time estimator needs equal source and target batches of at least two, "
            f"got {source_count} and {target_count}"
        )
    first = torch.arange(0, source_count - 1, 2, device=gram.device)
    second, offset = first + 1, source_count
    return (
        gram[first, second]
        + gram[offset + first, offset + second]
        - gram[first, offset + second]
        - gram[second, offset + first]
    ).mean()


def _estimate(gram: torch.Tensor, source_count: int, linear: bool) -> torch.Tensor:
    """MMD²_l when linear, else MMD²_b."""
    if linear:
        return _linear(gram, source_count)
    return _quadratic(gram, source_count, unbiased=False)


@over_all_processes
def mmd2_quadratic(
    source: torch.Tensor, target: torch.Tensor, kernel: Kernel, unbiased: bool = False
) -> torch.Tensor:
    """Quadratic-time MMD² between two samples: the V-statistic, or the U-statistic if unbiased."""
    return _quadratic(kernel(torch.cat([source, target])), len(source), unbiased)


@over_all_processes
def mmd2_linear(source: torch.Tensor, target: torch.Tensor, kernel: Kernel) -> torch.Tensor:
    """Linear-time unbiased MMD² (Lemma 14) of equal batches; an odd last example goes unused."""
    return _linear(kernel(torch.cat([source, target])), len(source))


class MultipleKernelMMD(nn.Module):
    """MK-MMD of DAN: MMD² under DAN's multi-kernel family (or any given kernel)."""

    def __init__(self, kernel: Kernel | None = None, linear: bool = False) -> None:
        super().__init__()
        self.kernel = kernel if kernel is not None else MultipleGaussianKernel()
        self.linear = linear

    @over_all_processes
    def forward(self, source: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return _estimate(self.kernel(torch.cat([source, target])), len(source), self.linear)


class JointMMD(nn.Module):
    """JMMD of JAN: MMD² under the product of one kernel per layer."""

    def __init__(self, kernels: Sequence[Kernel], linear: bool = False) -> None:
        super().__init__()
        self.kernels = nn.ModuleList(kernels)
        self.linear = linear

    @over_all_processes
    def forward(
        self, sources: Sequence[torch.Tensor], targets: Sequence[torch.Tensor]
    ) -> torch.Tensor:
        """Layer ℓ of `sources` and `targets` holds that layer's activations, one row a sample."""
        grams = [
            kernel(torch.cat([source, target]))
            for kernel, source, target in zip(self.kernels, sources, targets, strict=True)
        ]
        return _estimate(torch.stack(grams).prod(0), len(sources[0]), self.linear)


def _identity_affine(width: int) -> nn.Linear:
    """An affine map of R^width initialised to the identity."""
    layer = nn.Linear(width, width)
    nn.init.eye_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


class AdversarialJointMMD(JointMMD):
    """JMMD of JAN-A: each layer passes through an affine θ_ℓ (initially the identity) that
    ascends JMMD through gradient reversal, while the layer's activations descend it."""

    def __init__(
        self, kernels: Sequence[Kernel], widths: Sequence[int], linear: bool = False
    ) -> None:
        super().__init__(kernels, linear)
        if len(widths) != len(self.kernels):
            raise ValueError(f"{len(self.kernels)} kernels but {len(widths)} widths")
        self.thetas = nn.ModuleList(_identity_affine(width) for width in widths)

    def _transform(self, layers: Sequence[torch.Tensor]) -> list[torch.Tensor]:
        """θ_ℓ between two reversals: θ's gradient is negated, the input's is unchanged."""
        return [
            reverse_gradient(theta(reverse_gradient(layer)))
            for theta, layer in zip(self.thetas, layers, strict=True)
        ]

    def forward(
        self, sources: Sequence[torch.Tensor], targets: Sequence[torch.Tensor]
    ) -> torch.Tensor:
        return super().forward(self._transform(sources), self._transform(targets))
