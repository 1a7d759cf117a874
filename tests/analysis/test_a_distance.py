import numpy as np
import pytest

from transferbench.analysis.a_distance import proxy_a_distance


def gaussians(shift: float, count: int = 1000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    generator = np.random.default_rng(seed)
    return generator.normal(size=(count, 8)), generator.normal(size=(count, 8)) + shift


def test_separable_domains_are_at_distance_two():
    result = proxy_a_distance(*gaussians(shift=6.0))
    assert result.test_error == 0.0
    assert result.distance == pytest.approx(2.0)
    assert result.examples_per_domain == (1000, 1000)


def test_identical_distributions_are_near_zero():
    result = proxy_a_distance(*gaussians(shift=0.0))
    assert abs(result.distance) < 0.2
    assert result.distance == pytest.approx(2 * (1 - 2 * result.test_error))


def test_partial_overlap_lies_in_between():
    assert 0.3 < proxy_a_distance(*gaussians(shift=0.5)).distance < 1.9
