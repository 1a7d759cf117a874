import math

import pytest

from transferbench.schedules import adaptation_factor, constant, inverse_decay


def test_inverse_decay_follows_the_dann_formula():
    assert inverse_decay(0.0) == 1.0
    assert math.isclose(inverse_decay(1.0), 11 ** -0.75)
    assert math.isclose(inverse_decay(0.5, alpha=10, beta=0.75), 6 ** -0.75)


def test_adaptation_factor_rises_from_zero_to_almost_one():
    assert adaptation_factor(0.0) == 0.0
    assert math.isclose(adaptation_factor(1.0), 2 / (1 + math.exp(-10)) - 1)
    values = [adaptation_factor(p / 10) for p in range(11)]
    assert values == sorted(values)


@pytest.mark.parametrize("progress", [0.0, 0.3, 1.0])
def test_constant_is_one(progress):
    assert constant(progress) == 1.0
