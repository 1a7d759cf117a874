"""Multi-task hard sharing: fixed weights and learned uncertainty weights against the formulas."""

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from tests.conftest import MOONS_RELATED, MOONS_ZERO_SHOT
from transferbench.data import build_task
from transferbench.errors import UserError
from transferbench.experiment import related_heads, run
from transferbench.losses.uncertainty import UncertaintyWeighting
from transferbench.methods import Batch, build_method
from transferbench.models import build_model


def multitask(make_config, *overrides: str):
    cfg = make_config("method=multitask", MOONS_RELATED, *overrides)
    torch.manual_seed(0)
    task = build_task(cfg.dataset, root=Path(), download=False)
    model = build_model(cfg.backbone, task.input_shape, task.num_classes, related_heads(cfg.dataset))
    return build_method(cfg.method, model), task


def batches(task):
    main = Batch(task.source.train.inputs[:32], task.source.train.labels[:32])
    other = task.related["other"].source.train
    return main, {"other": Batch(other.inputs[:48], other.labels[:48])}


def test_fixed_weights_weigh_each_tasks_loss_on_its_own_head_and_batch(make_config):
    method, task = multitask(make_config, "method.weights={main:0.5,other:3}")
    main, related = batches(task)
    losses = method.losses(main, main, progress=0.0, related=related)
    outputs = method.model(related["other"].inputs).heads["other"]
    assert losses["main"].item() == pytest.approx(0.5 * F.cross_entropy(method.model(main.inputs).logits, main.labels).item())
    assert losses["other"].item() == pytest.approx(3 * F.cross_entropy(outputs, related["other"].labels).item())


def test_a_task_of_weight_zero_is_left_out(make_config):
    method, task = multitask(make_config, "method.weights={other:0}")
    main, related = batches(task)
    assert set(method.losses(main, main, progress=0.0, related=related)) == {"main"}


def test_uncertainty_weights_follow_kendall_et_al():
    weighting = UncertaintyWeighting(["a", "b"])
    with torch.no_grad():
        weighting.log_variances["a"].fill_(0.7)
        weighting.log_variances["b"].fill_(-0.4)
    loss = torch.tensor(3.0)
    sigma_a, sigma_b = torch.tensor(0.7).exp().sqrt(), torch.tensor(-0.4).exp().sqrt()
    regression = loss / (2 * sigma_a**2) + sigma_a.log()
    classification = loss / sigma_b**2 + sigma_b.log()
    assert weighting("a", loss, regression=True).item() == pytest.approx(regression.item(), rel=1e-6)
    assert weighting("b", loss, regression=False).item() == pytest.approx(classification.item(), rel=1e-6)
    assert weighting.weights()["b"] == pytest.approx(1 / sigma_b.item() ** 2, rel=1e-6)


def test_a_large_loss_learns_a_large_variance():
    weighting = UncertaintyWeighting(["big", "small"])
    optimizer = torch.optim.Adam(weighting.parameters(), lr=0.05)
    for _ in range(2000):
        optimizer.zero_grad()
        (weighting("big", torch.tensor(50.0), True) + weighting("small", torch.tensor(0.1), True)).backward()
        optimizer.step()
    s = weighting.log_variances
    assert s["big"].item() == pytest.approx(torch.tensor(50.0).log().item(), abs=0.05)  # optimum: s = log L
    assert s["small"].item() == pytest.approx(torch.tensor(0.1).log().item(), abs=0.05)


def test_a_regression_task_uses_the_squared_error_of_its_head(make_config):
    method, task = multitask(make_config, "method.weighting=uncertainty")
    main, related = batches(task)
    angles = torch.linspace(-40, 40, 48)
    regression = {"other": Batch(related["other"].inputs, angles)}
    with torch.no_grad():
        method.model.heads["other"] = torch.nn.Linear(method.model.features_dim, 1)
    losses = method.losses(main, main, progress=0.0, related=regression)
    squared = F.mse_loss(method.model(regression["other"].inputs).heads["other"].squeeze(1), angles)
    assert losses["other"].item() == pytest.approx(0.5 * squared.item(), rel=1e-5)  # s = 0


@pytest.mark.parametrize(("overrides", "message"), [
    (["method.weights={angle:1}"], "method.weights.angle: no such task; the tasks are main, other"),
    (["method.weighting=learned"], "method.weighting=learned is not one of: fixed, uncertainty"),
    (["method.weighting=uncertainty", "method.weights={main:2}"], "method.weights are fixed weights"),
])
def test_bad_options_are_one_line(make_config, overrides, message):
    with pytest.raises(UserError, match=message):
        multitask(make_config, *overrides)


def test_a_task_without_related_tasks_is_one_line(make_config):
    cfg = make_config("method=multitask")
    with pytest.raises(UserError, match="needs a task with related tasks"):
        build_method(cfg.method, build_model(cfg.backbone, (2,), 2))


def test_a_head_without_a_related_task_is_one_line(make_config, tmp_path):
    cfg = make_config("method=multitask", MOONS_ZERO_SHOT, "trainer.iterations=2")
    with pytest.raises(UserError, match="trains on a related task 'attributes' that task moons does not have"):
        run(cfg, tmp_path / "run")
