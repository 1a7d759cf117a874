"""Each validator against a computation by hand on a small example."""

import math

import pytest
import torch

from transferbench.validation import VALIDATORS, Evidence, Outputs
from transferbench.validation.dev import density_ratio, dev_risk


def outputs(logits, labels=None, features=None):
    logits = torch.tensor(logits, dtype=torch.float64)
    features = logits if features is None else torch.tensor(features, dtype=torch.float64)
    return Outputs(logits, features, None if labels is None else torch.tensor(labels))


def evidence(target, source_val=None, source=None):
    return Evidence(target, source or target, source_val)


def entropy(probabilities):
    return -sum(p * math.log(p) for p in probabilities if p > 0)


def softmax(row):
    exps = [math.exp(value) for value in row]
    return [value / sum(exps) for value in exps]


def test_source_val_is_the_accuracy_on_the_held_out_source_examples():
    val = outputs([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0], [0.0, 1.0]], labels=[0, 1, 1, 1])
    assert VALIDATORS.get("source_val")()(evidence(val, source_val=val)) == pytest.approx(75.0)


def test_im_is_the_entropy_of_the_mean_prediction_minus_the_mean_entropy():
    logits = [[2.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 3.0]]
    probabilities = [softmax(row) for row in logits]
    mean = [sum(column) / 3 for column in zip(*probabilities)]
    expected = entropy(mean) - sum(entropy(p) for p in probabilities) / 3
    assert VALIDATORS.get("im")()(evidence(outputs(logits))) == pytest.approx(expected)


def test_im_prefers_confident_predictions_spread_over_the_classes():
    im = VALIDATORS.get("im")()
    spread = im(evidence(outputs([[9.0, 0.0], [0.0, 9.0]])))
    collapsed = im(evidence(outputs([[9.0, 0.0], [9.0, 0.0]])))
    assert spread > collapsed


def test_snd_is_the_mean_entropy_of_the_soft_neighbours_by_hand():
    logits = [[2.0, 0.0], [1.5, 0.2], [0.0, 2.0]]
    temperature = 0.05
    normalised = []
    for row in logits:
        p = softmax(row)
        norm = math.sqrt(sum(v * v for v in p))
        normalised.append([v / norm for v in p])
    total = 0.0
    for i, f in enumerate(normalised):
        others = [j for j in range(3) if j != i]
        scores = [math.exp(sum(a * b for a, b in zip(f, normalised[j])) / temperature) for j in others]
        total += entropy([score / sum(scores) for score in scores])
    expected = total / 3
    assert VALIDATORS.get("snd")()(evidence(outputs(logits))) == pytest.approx(expected)


def test_dev_risk_with_the_control_variate_by_hand():
    losses, weights = [0.5, 1.0, 2.0, 0.1], [0.5, 1.5, 2.0, 0.0]
    weighted = [w * l for w, l in zip(weights, losses)]
    n = 4
    mean_l, mean_w = sum(weighted) / n, sum(weights) / n
    covariance = sum((a - mean_l) * (b - mean_w) for a, b in zip(weighted, weights)) / (n - 1)
    variance = sum((b - mean_w) ** 2 for b in weights) / (n - 1)
    eta = -covariance / variance
    expected = mean_l + eta * mean_w - eta
    assert dev_risk(torch.tensor(losses, dtype=torch.float64), torch.tensor(weights, dtype=torch.float64)) == pytest.approx(expected)


def test_dev_with_equal_weights_is_the_mean_validation_loss():
    assert dev_risk(torch.tensor([0.5, 1.5, 1.0]), torch.ones(3)) == pytest.approx(1.0)


def test_density_ratio_is_high_where_only_the_target_lies():
    generator = torch.Generator().manual_seed(0)
    source = torch.randn(400, 2, generator=generator, dtype=torch.float64)
    target = torch.randn(400, 2, generator=generator, dtype=torch.float64) + torch.tensor([3.0, 0.0], dtype=torch.float64)
    ratio = density_ratio(source, target, torch.tensor([[-2.0, 0.0], [1.5, 0.0], [5.0, 0.0]], dtype=torch.float64))
    assert ratio[0] < 0.1 < ratio[1] < 10 < ratio[2]


def test_dev_is_the_weighted_validation_cross_entropy_of_the_network():
    generator = torch.Generator().manual_seed(1)
    features = torch.randn(200, 3, generator=generator, dtype=torch.float64)
    logits = features[:, :2]
    labels = (features[:, 0] < features[:, 1]).long()
    same = Outputs(logits, features)
    val = Outputs(logits, features, labels)
    weights = density_ratio(features, features, features)
    losses = torch.nn.functional.cross_entropy(logits, labels, reduction="none")
    score = VALIDATORS.get("dev")()(Evidence(same, same, val))
    assert score == pytest.approx(dev_risk(losses, weights))
    assert VALIDATORS.get("dev").higher_is_better is False


def test_an_unknown_validator_lists_the_registered_ones():
    from transferbench.errors import UserError

    with pytest.raises(UserError, match="unknown validator 'snd2'.*dev, im, snd, source_val"):
        VALIDATORS.get("snd2", "trainer.validators")
