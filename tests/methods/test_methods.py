"""Every registered method trains on the moons: finite losses that go down."""

from pathlib import Path

import pytest
import torch

from tests.conftest import student_overrides
from transferbench.data import build_task
from transferbench.errors import UserError
from transferbench.experiment import related_heads
from transferbench.methods import METHODS, Batch, build_method
from transferbench.methods.zero_shot import ZeroShotMethod
from transferbench.models import build_model

BATCH = 128  # rows per domain, full-batch: the quadratic MMD estimators cost O(BATCH²) per step


# Zero-shot methods train on the moons' one seen class there, where a margin or a softmax has nothing
# to separate; tests/methods/test_zero_shot.py checks their losses against references instead.
GRADIENT_METHODS = [
    name for name in METHODS.names()
    if METHODS.get(name).trains_by_gradient and not issubclass(METHODS.get(name), ZeroShotMethod)
]


@pytest.mark.parametrize("name", GRADIENT_METHODS)
def test_method_losses_are_finite_and_decrease(make_config, name, moons_runs):
    cfg = make_config(f"method={name}", *student_overrides(name, moons_runs["source_only"]))
    torch.manual_seed(0)
    task = build_task(cfg.dataset, root=Path(), download=False)
    model = build_model(cfg.backbone, task.input_shape, task.num_classes, related_heads(cfg.dataset))
    method = build_method(cfg.method, model)
    optimizer = torch.optim.SGD([p for g in method.parameter_groups() for p in g["params"]], lr=0.05, momentum=0.9)
    source, target = task.source.train, task.target.train
    target_labels = target.labels[:BATCH] if METHODS.get(name).uses_target_labels else None
    source_batch = Batch(source.inputs[:BATCH], source.labels[:BATCH])
    target_batch = Batch(target.inputs[:BATCH], target_labels)
    related = {"related": {task: source_batch for task in method.trains_on}} if method.trains_on else {}
    totals = []
    for step in range(150):
        losses = method.losses(source_batch, target_batch, progress=step / 150, **related)
        total = sum(losses.values())
        assert torch.isfinite(total)
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        totals.append(total.item())
    assert sum(totals[-10:]) < sum(totals[:10])


@pytest.mark.parametrize(
    "override", ["method=dann method.layer=nope", "method=ddc method.layer=nope",
                 "method=coral method.layer=nope", "method=dan method.layers=[features,nope]"],
)
def test_an_unknown_layer_is_rejected(make_config, override):
    cfg = make_config(*override.split())
    with pytest.raises(UserError, match="unknown layer 'nope'; choose one of: fc1, fc2, features, logits"):
        build_method(cfg.method, build_model(cfg.backbone, (2,), 2))
