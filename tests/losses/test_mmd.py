import copy
import math
from typing import Callable, Sequence

import pytest
import torch

from transferbench.losses import (
    AdversarialJointMMD,
    GaussianKernel,
    JointMMD,
    LinearKernel,
    MultipleKernelMMD,
    mmd2_linear,
    mmd2_quadratic,
)

PairKernel = Callable[[object, object], float]


def gaussian(bandwidth: float) -> PairKernel:
    return lambda a, b: math.exp(-((a - b) ** 2).sum().item() / bandwidth)


def quadratic_by_hand(source: Sequence, target: Sequence, k: PairKernel, unbiased: bool) -> float:
    def within(rows: Sequence) -> float:
        values = [
            k(a, b)
            for i, a in enumerate(rows)
            for j, b in enumerate(rows)
            if not (unbiased and i == j)
        ]
        return sum(values) / len(values)

    cross = sum(k(a, b) for a in source for b in target) / (len(source) * len(target))
    return within(source) + within(target) - 2 * cross


def linear_by_hand(source: Sequence, target: Sequence, k: PairKernel) -> float:
    terms = [
        k(source[i], source[i + 1]) + k(target[i], target[i + 1])
        - k(source[i], target[i + 1]) - k(source[i + 1], target[i])
        for i in range(0, len(source) - 1, 2)
    ]
    return sum(terms) / len(terms)


def samples(
    count: int, width: int, shift: float = 0.0, generator: torch.Generator | None = None
) -> torch.Tensor:
    return torch.randn(count, width, dtype=torch.float64, generator=generator) + shift


def test_linear_kernel_biased_mmd_is_the_squared_distance_between_means():
    torch.manual_seed(0)
    source, target = samples(6, 3), samples(9, 3, shift=0.5)
    expected = (source.mean(0) - target.mean(0)).pow(2).sum()
    assert torch.allclose(mmd2_quadratic(source, target, LinearKernel()), expected)


@pytest.mark.parametrize("unbiased", [False, True])
def test_quadratic_estimator_matches_a_double_loop(unbiased):
    torch.manual_seed(0)
    source, target = samples(5, 3), samples(7, 3, shift=0.3)
    value = mmd2_quadratic(source, target, GaussianKernel(1.5), unbiased=unbiased)
    expected = quadratic_by_hand(source, target, gaussian(1.5), unbiased)
    assert math.isclose(value.item(), expected, rel_tol=1e-9)


def test_linear_estimator_matches_the_quadruple_sum_and_skips_an_odd_last_example():
    torch.manual_seed(0)
    source, target = samples(7, 3), samples(7, 3, shift=0.3)
    expected = linear_by_hand(source, target, gaussian(2.0))
    assert math.isclose(mmd2_linear(source, target, GaussianKernel(2.0)).item(), expected)


def test_linear_estimator_needs_equal_batches():
    with pytest.raises(ValueError, match="equal"):
        mmd2_linear(samples(4, 2), samples(6, 2), LinearKernel())


def test_linear_estimator_is_unbiased_for_the_population_mmd():
    generator = torch.Generator().manual_seed(0)
    source, target = samples(20, 2, generator=generator), samples(20, 2, 0.5, generator=generator)
    kernel = GaussianKernel(1.0)
    population = mmd2_quadratic(source, target, kernel, unbiased=True)
    biased = mmd2_quadratic(source, target, kernel)
    draws = torch.stack([
        mmd2_linear(
            source[torch.randperm(20, generator=generator)],
            target[torch.randperm(20, generator=generator)],
            kernel,
        )
        for _ in range(400)
    ])
    standard_error = draws.std() / math.sqrt(len(draws))
    assert abs(draws.mean() - population) < 3 * standard_error
    assert abs(biased - population) > 6 * standard_error


def test_same_distribution_mmd_shrinks_with_n_and_a_shift_stands_out():
    generator = torch.Generator().manual_seed(0)
    mmd = MultipleKernelMMD()

    def average(count: int, shift: float) -> float:
        values = [
            mmd(samples(count, 2, generator=generator), samples(count, 2, shift, generator))
            for _ in range(5)
        ]
        return torch.stack(values).mean().item()

    same = [average(count, 0.0) for count in (16, 64, 256)]
    assert same[0] > same[1] > same[2]
    assert average(64, 1.0) > 5 * same[1]


@pytest.mark.parametrize("linear", [False, True])
def test_joint_mmd_of_one_layer_is_mk_mmd(linear):
    torch.manual_seed(0)
    source, target = samples(8, 3), samples(8, 3, shift=0.4)
    joint = JointMMD([MultipleKernelMMD().kernel], linear=linear)([source], [target])
    assert torch.allclose(joint, MultipleKernelMMD(linear=linear)(source, target))


@pytest.mark.parametrize("linear", [False, True])
def test_joint_mmd_of_two_layers_uses_the_product_kernel(linear):
    torch.manual_seed(0)
    sources, targets = [samples(6, 3), samples(6, 2)], [samples(6, 3, 0.3), samples(6, 2, 0.1)]

    def product(a: tuple, b: tuple) -> float:
        return gaussian(2.0)(a[0], b[0]) * (a[1] * b[1]).sum().item()

    rows_s, rows_t = list(zip(*sources)), list(zip(*targets))
    if linear:
        expected = linear_by_hand(rows_s, rows_t, product)
    else:
        expected = quadratic_by_hand(rows_s, rows_t, product, unbiased=False)
    value = JointMMD([GaussianKernel(2.0), LinearKernel()], linear=linear)(sources, targets)
    assert math.isclose(value.item(), expected, rel_tol=1e-9)


def test_adversarial_theta_ascends_jmmd_while_the_features_descend_it():
    torch.manual_seed(0)
    kernels = [GaussianKernel(4.0), GaussianKernel(1.0)]
    adversarial = AdversarialJointMMD(kernels, widths=[3, 2]).double()
    with torch.no_grad():
        for theta in adversarial.thetas:
            theta.weight.add_(0.3 * torch.randn_like(theta.weight))
    thetas = copy.deepcopy(adversarial.thetas)
    layers = [samples(6, 3), samples(6, 2), samples(6, 3, 0.5), samples(6, 2, 0.2)]
    inputs = [layer.clone().requires_grad_() for layer in layers]
    plain_inputs = [layer.clone().requires_grad_() for layer in layers]
    adversarial(inputs[:2], inputs[2:]).backward()
    mapped = [theta(layer) for theta, layer in zip(list(thetas) * 2, plain_inputs)]
    JointMMD(kernels)(mapped[:2], mapped[2:]).backward()
    for theta, plain in zip(adversarial.thetas, thetas):
        assert plain.weight.grad.abs().sum() > 0
        assert torch.allclose(theta.weight.grad, -plain.weight.grad)
        assert torch.allclose(theta.bias.grad, -plain.bias.grad)
    for layer, plain in zip(inputs, plain_inputs):
        assert torch.allclose(layer.grad, plain.grad)


def test_adversarial_jmmd_starts_as_plain_jmmd_and_checks_its_widths():
    torch.manual_seed(0)
    kernels = [GaussianKernel(4.0), GaussianKernel(1.0)]
    sources, targets = [samples(5, 3), samples(5, 2)], [samples(5, 3, 0.3), samples(5, 2)]
    adversarial = AdversarialJointMMD(kernels, widths=[3, 2]).double()
    assert torch.allclose(adversarial(sources, targets), JointMMD(kernels)(sources, targets))
    with pytest.raises(ValueError, match="widths"):
        AdversarialJointMMD(kernels, widths=[3])
