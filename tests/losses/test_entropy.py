import math

import torch

from transferbench.losses import entropy, mean_entropy


def test_uniform_logits_have_entropy_log_c():
    logits = torch.full((3, 5), 2.7)
    assert torch.allclose(entropy(logits), torch.full((3,), math.log(5)))
    assert math.isclose(mean_entropy(logits).item(), math.log(5), rel_tol=1e-6)


def test_confident_logits_have_entropy_near_zero_and_stay_finite():
    logits = torch.tensor([[50.0, 0.0, 0.0], [1000.0, 0.0, -1000.0]])
    values = entropy(logits)
    assert torch.isfinite(values).all()
    assert values.abs().max() < 1e-6


def test_matches_the_definition_by_hand():
    torch.manual_seed(0)
    logits = torch.randn(4, 3, dtype=torch.float64)
    by_hand = []
    for row in logits.tolist():
        total = sum(math.exp(value) for value in row)
        by_hand.append(-sum(math.exp(v) / total * math.log(math.exp(v) / total) for v in row))
    assert torch.allclose(entropy(logits), torch.tensor(by_hand, dtype=torch.float64))
    assert math.isclose(mean_entropy(logits).item(), sum(by_hand) / 4)
