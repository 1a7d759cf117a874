"""Growing a network (WA-/DA-CNN): the grown features against their formulas, and what trains."""

import math

import pytest
import torch
import torch.nn.functional as F

from transferbench.errors import UserError
from transferbench.methods import Batch, build_method
from transferbench.models import build_model


def grown(make_config, *overrides):
    cfg = make_config("method=grow", *overrides)
    torch.manual_seed(0)
    return build_method(cfg.method, build_model(cfg.backbone, (2,), 2))


def inputs():
    return torch.randn(8, 2, generator=torch.Generator().manual_seed(3))


def scaled(values, gamma):
    return gamma * F.normalize(values, dim=1)


def test_widening_concatenates_the_scaled_top_block_and_new_units(make_config):
    method = grown(make_config, "method.units=5")
    x = inputs()
    blocks = method.model.backbone.forward_blocks(x)
    new = method.new_units(blocks["fc1"])
    expected = torch.cat([scaled(blocks["fc2"], method.top.gamma), scaled(new, method.new_scale.gamma)], dim=1)
    assert torch.allclose(method.features(x), expected, atol=1e-6)
    assert method.grown_head.in_features == 32 + 5
    assert method.new_scale.gamma[0].item() == pytest.approx(math.sqrt(5))


def test_deepening_adds_a_layer_above_the_scaled_top_block(make_config):
    method = grown(make_config, "method.mode=deepen", "method.units=6", "method.scale=false")
    x = inputs()
    top = method.model.backbone.forward_blocks(x)["fc2"]
    assert torch.allclose(method.features(x), method.new_units(top), atol=1e-6)
    assert method.grown_head.in_features == 6


def test_new_only_trains_the_new_units_scales_and_head(make_config):
    method = grown(make_config, "method.copied=freeze")
    before = {key: value.clone() for key, value in method.state_dict().items()}
    optimizer = torch.optim.SGD([p for g in method.parameter_groups() for p in g["params"]], lr=0.1)
    batch = Batch(inputs(), torch.tensor([0, 1] * 4))
    optimizer.zero_grad()
    sum(method.losses(batch, batch, 0.0).values()).backward()
    optimizer.step()
    changed = {key.split(".")[0] if not key.startswith("model") else ".".join(key.split(".")[:2])
               for key, value in method.state_dict().items() if not torch.equal(value, before[key])}
    assert changed == {"top", "new_units", "new_scale", "grown_head"}


@pytest.mark.parametrize(("overrides", "message"), [
    (["method.mode=narrow"], "method.mode=narrow is not one of: widen, deepen"),
    (["backbone=lenet"], "use a backbone without a bottleneck"),
])
def test_bad_options_are_one_line(make_config, overrides, message):
    cfg = make_config("method=grow", *overrides)
    shape = (1, 28, 28) if "backbone=lenet" in overrides else (2,)
    with pytest.raises(UserError, match=message):
        build_method(cfg.method, build_model(cfg.backbone, shape, 10))
