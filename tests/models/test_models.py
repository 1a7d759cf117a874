import pytest
import torch

from transferbench.models import build_model


@pytest.mark.parametrize("backbone", ["lenet", "dann_mnist"])
def test_digit_backbones_expose_named_blocks_features_and_logits(make_config, backbone):
    cfg = make_config(f"backbone={backbone}")
    model = build_model(cfg.backbone, (1, 28, 28), 10)
    output = model(torch.zeros(4, 1, 28, 28))
    assert output.logits.shape == (4, 10)
    assert output.features.shape == (4, model.features_dim)
    assert {"conv1", "conv2", "features", "logits"} <= set(output.blocks)


def test_backbone_lr_multiplier_reaches_its_parameter_group(make_config):
    cfg = make_config("backbone=lenet", "backbone.lr_mult=0.1")
    groups = build_model(cfg.backbone, (1, 28, 28), 10).parameter_groups()
    assert [group["lr_mult"] for group in groups] == [0.1, 1.0]
    assert sum(p.numel() for g in groups for p in g["params"]) == sum(
        p.numel() for p in build_model(cfg.backbone, (1, 28, 28), 10).parameters()
    )
