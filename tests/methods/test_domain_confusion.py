"""Domain confusion: L_conf is minimal at a uniform domain output, and each loss trains its side."""

import math
from pathlib import Path

import pytest
import torch

from transferbench.data import build_task
from transferbench.data.domain import Split
from transferbench.errors import UserError
from transferbench.methods import Batch, build_method
from transferbench.methods.domain_confusion import confusion_loss, soft_label_loss
from transferbench.models import build_model


def build(make_config, *overrides):
    cfg = make_config("method=domain_confusion", *overrides)
    torch.manual_seed(0)
    return build_method(cfg.method, build_model(cfg.backbone, (2,), 2))


def batches():
    return Batch(torch.randn(8, 2), torch.randint(0, 2, (8,))), Batch(torch.randn(8, 2) + 1)


def test_confusion_loss_is_minimal_at_the_uniform_output():
    logits = torch.zeros(4, requires_grad=True)
    loss = confusion_loss(logits)
    loss.backward()
    assert math.isclose(loss.item(), math.log(2), rel_tol=1e-6)
    assert torch.equal(logits.grad, torch.zeros(4))
    for shift in (-3.0, -0.1, 0.1, 3.0):
        assert confusion_loss(torch.full((4,), shift)) > loss


def test_domain_loss_trains_only_the_classifier_and_confusion_only_the_features(make_config):
    method = build(make_config)
    discriminator = method.domain.discriminator
    for term, trains_discriminator in (("domain", True), ("confusion", False)):
        method.zero_grad()
        method.losses(*batches(), progress=0.0)[term].backward()
        discriminator_grads = [p.grad for p in discriminator.parameters()]
        feature_grads = [p.grad for p in method.model.backbone.parameters()]
        assert all((g is not None) == trains_discriminator for g in discriminator_grads)
        assert all((g is not None) != trains_discriminator for g in feature_grads)


def test_soft_labels_train_the_labelled_target_examples(make_config):
    method = build(make_config, "method.target_labels_per_class=3", "method.soft_label_momentum=0.0")
    targets = Split(torch.randn(20, 2), torch.arange(20) % 2)
    method.use_target_labels(targets, normalize=lambda inputs: inputs)
    assert torch.equal(method.labelled_target.labels.sort().values, torch.tensor([0, 0, 0, 1, 1, 1]))
    source, target = batches()
    soft_label = method.losses(source, target, progress=0.0)["soft_label"]
    logits = method.model(source.inputs).logits
    probabilities = (logits / 2).softmax(1)
    soft_labels = torch.stack([probabilities[source.labels == c].mean(0) for c in (0, 1)])
    assert torch.allclose(method.soft_labels, soft_labels, atol=1e-6)
    labelled_logits = method.model(method.labelled_target.inputs).logits
    expected = soft_label_loss(labelled_logits, soft_labels[method.labelled_target.labels], 2.0)
    assert torch.allclose(soft_label, 0.1 * expected, atol=1e-6)


def test_soft_label_loss_is_the_cross_entropy_to_the_soft_labels():
    logits, soft = torch.tensor([[2.0, 0.0]]), torch.tensor([[0.75, 0.25]])
    p = torch.softmax(logits / 2, 1)[0]
    expected = -(0.75 * p[0].log() + 0.25 * p[1].log())
    assert math.isclose(soft_label_loss(logits, soft, 2.0).item(), expected.item(), rel_tol=1e-6)


def test_labelled_target_examples_are_required_when_asked_for(make_config):
    method = build(make_config, "method.target_labels_per_class=1")
    with pytest.raises(UserError, match="needs labelled target examples"):
        method.losses(*batches(), progress=0.0)
    assert "soft_label" not in build(make_config).losses(*batches(), progress=0.0)


def test_before_fit_keeps_k_prepared_labelled_target_examples_per_class(make_config):
    cfg = make_config("method=domain_confusion", "method.target_labels_per_class=3")
    task = build_task(cfg.dataset, Path(), download=False)
    method = build_method(cfg.method, build_model(cfg.backbone, task.input_shape, task.num_classes))
    method.before_fit(task)
    labelled = method.labelled_target
    assert torch.bincount(labelled.labels).tolist() == [3, 3]
    assert all(any(torch.equal(row, x) for x in task.target.train.inputs) for row in labelled.inputs)
