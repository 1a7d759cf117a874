import itertools
import math
import statistics

import pytest
import torch

from transferbench.losses import (
    GaussianKernel,
    LinearKernel,
    MultipleGaussianKernel,
    gaussian_kernel,
    linear_kernel,
    squared_distances,
)


def squared_distance_by_hand(a: torch.Tensor, b: torch.Tensor) -> float:
    return sum((p - q) ** 2 for p, q in zip(a.tolist(), b.tolist()))


def table(function, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return torch.tensor([[function(a, b) for b in y] for a in x], dtype=torch.float64)


def test_squared_distances_match_a_loop_over_pairs():
    torch.manual_seed(0)
    x, y = torch.randn(4, 3, dtype=torch.float64), torch.randn(5, 3, dtype=torch.float64)
    assert torch.allclose(squared_distances(x, y), table(squared_distance_by_hand, x, y))


def test_gaussian_and_linear_kernels_match_their_formulas():
    torch.manual_seed(0)
    x, y = torch.randn(4, 3, dtype=torch.float64), torch.randn(5, 3, dtype=torch.float64)
    gaussian = table(lambda a, b: math.exp(-squared_distance_by_hand(a, b) / 0.7), x, y)
    inner = table(lambda a, b: sum(p * q for p, q in zip(a.tolist(), b.tolist())), x, y)
    assert torch.allclose(gaussian_kernel(x, y, 0.7), gaussian)
    assert torch.allclose(GaussianKernel(0.7)(x), gaussian_kernel(x, x, 0.7))
    assert torch.allclose(linear_kernel(x, y), inner)
    assert torch.allclose(LinearKernel()(y), linear_kernel(y, y))


@pytest.mark.parametrize(
    "statistic, reduce", [("mean", statistics.fmean), ("median", statistics.median)]
)
def test_family_is_the_mean_of_gaussians_around_the_pooled_statistic(statistic, reduce):
    torch.manual_seed(0)
    samples = torch.randn(6, 2, dtype=torch.float64)
    pairs = itertools.combinations(samples, 2)
    base = reduce(squared_distance_by_hand(a, b) for a, b in pairs)
    expected_bandwidths = [base / 3, base, base * 3]
    kernel = MultipleGaussianKernel(radius=1, multiplier=3.0, statistic=statistic)
    bandwidths = kernel.bandwidths(squared_distances(samples, samples))
    assert torch.allclose(bandwidths, torch.tensor(expected_bandwidths, dtype=torch.float64))
    expected = table(
        lambda a, b: statistics.fmean(
            math.exp(-squared_distance_by_hand(a, b) / bandwidth)
            for bandwidth in expected_bandwidths
        ),
        samples,
        samples,
    )
    assert torch.allclose(kernel(samples), expected)


def test_family_bandwidths_are_detached():
    samples = torch.randn(5, 3, requires_grad=True)
    distances = squared_distances(samples, samples)
    assert distances.requires_grad
    assert not MultipleGaussianKernel().bandwidths(distances).requires_grad


def test_family_rejects_an_unknown_statistic():
    with pytest.raises(ValueError, match="statistic"):
        MultipleGaussianKernel(statistic="mode")
