"""AdaBN re-estimates every BatchNorm layer on the (normalised) target split, and nothing else."""

import math

import pytest
import torch

from transferbench.data.domain import Split
from transferbench.methods import Batch, build_method
from transferbench.models import build_model


def normalize_digits(images):
    return (images.float() / 255 - 0.5) / 0.5


def lenet_adabn(make_config, batch_size):
    cfg = make_config("dataset=mnist_usps", "method=adabn", f"method.batch_size={batch_size}")
    torch.manual_seed(0)
    return build_method(cfg.method, build_model(cfg.backbone, (1, 28, 28), 10))


def bottleneck_inputs(method, images):
    """What the bottleneck's BatchNorm sees, computed by hand with dropout off."""
    model = method.model.eval()
    with torch.no_grad():
        return model.bottleneck[0](model.backbone(normalize_digits(images)))


@pytest.mark.parametrize("batch_size", [40, 10])
def test_running_statistics_are_the_target_moments(make_config, batch_size):
    method = lenet_adabn(make_config, batch_size)
    images = torch.randint(0, 256, (40, 1, 28, 28), dtype=torch.uint8)
    method.train()
    method.before_eval("target", Split(images, torch.zeros(40, dtype=torch.long)), normalize_digits)
    norm = method.model.bottleneck[1]
    assert norm.momentum == 0.1 and norm.training and method.model.backbone.training
    activations = bottleneck_inputs(method, images)
    batches = activations.split(batch_size)
    assert torch.allclose(norm.running_mean, activations.mean(0), atol=1e-5)
    assert torch.allclose(norm.running_var, torch.stack([b.var(0) for b in batches]).mean(0), rtol=1e-4)


def test_nothing_but_the_statistics_changes(make_config):
    method = lenet_adabn(make_config, 16)
    before = {name: value.clone() for name, value in method.model.state_dict().items()}
    method.eval()
    method.before_eval(
        "target",
        Split(torch.randint(0, 256, (33, 1, 28, 28), dtype=torch.uint8), torch.zeros(33)), normalize_digits
    )
    changed = {name for name, value in method.model.state_dict().items() if not torch.equal(value, before[name])}
    assert changed == {"bottleneck.1.running_mean", "bottleneck.1.running_var", "bottleneck.1.num_batches_tracked"}
    assert not method.training
    assert method.model.bottleneck[1].num_batches_tracked == math.ceil(33 / 16)


def test_without_batch_norm_it_is_source_only(make_config):
    cfg = make_config("method=adabn")
    torch.manual_seed(0)
    method = build_method(cfg.method, build_model(cfg.backbone, (2,), 2))
    source = Batch(torch.randn(8, 2), torch.randint(0, 2, (8,)))
    before = method.losses(source, Batch(torch.randn(8, 2)), 0.0)["classification"]
    method.before_eval("target", Split(torch.randn(50, 2), torch.zeros(50, dtype=torch.long)), lambda inputs: inputs)
    assert torch.equal(method.losses(source, Batch(torch.randn(8, 2)), 0.0)["classification"], before)


def test_a_network_without_batch_norm_is_reported(make_config, caplog):
    cfg = make_config("dataset=mnist_mnistm", "method=adabn")
    build_method(cfg.method, build_model(cfg.backbone, (3, 28, 28), 10))
    assert "no BatchNorm layers" in caplog.text
    caplog.clear()
    lenet_adabn(make_config, 40)
    assert "no BatchNorm" not in caplog.text
