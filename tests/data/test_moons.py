import math

import torch

from transferbench.data.moons import moons, moons_rotated


def test_target_is_the_source_distribution_rotated():
    source = moons(samples=400, seed=3)
    target = moons_rotated(samples=400, seed=3, rotation=90)
    assert source.train.inputs.shape == target.train.inputs.shape == (400, 2)
    assert set(source.train.labels.tolist()) == {0, 1}
    source_spread, target_spread = source.train.inputs.std(0), target.train.inputs.std(0)
    assert source_spread[0] > 1.5 * source_spread[1]
    assert math.isclose(source_spread[0], target_spread[1], rel_tol=0.15)
    assert math.isclose(source_spread[1], target_spread[0], rel_tol=0.15)


def test_train_and_test_are_different_draws():
    domain = moons(samples=100)
    assert not torch.equal(domain.train.inputs, domain.test.inputs)
