import pytest
import torch
from torch.nn import Linear

from transferbench.methods import build_method
from transferbench.models import build_model


@pytest.mark.parametrize("backbone", ["lenet", "dann_mnist"])
def test_digit_backbones_expose_named_blocks_features_and_logits(make_config, backbone):
    cfg = make_config(f"backbone={backbone}")
    model = build_model(cfg.backbone, (1, 28, 28), 10)
    output = model(torch.zeros(4, 1, 28, 28))
    assert output.logits.shape == (4, 10)
    assert output.features.shape == (4, model.features_dim)
    assert {"conv1", "conv2", "features", "logits"} <= set(output.blocks)


def test_dann_svhn_keeps_32px_maps_to_8x8_and_ends_in_2048_features(make_config):
    model = build_model(make_config("backbone=dann_svhn").backbone, (3, 32, 32), 10)
    blocks = model(torch.zeros(2, 3, 32, 32)).blocks
    shapes = {name: tuple(output.shape) for name, output in blocks.items()}
    assert shapes == {
        "conv1": (2, 64, 16, 16), "conv2": (2, 64, 8, 8), "conv3": (2, 128 * 8 * 8),
        "fc1": (2, 3072), "fc2": (2, 2048), "features": (2, 2048), "logits": (2, 10),
    }


def test_svhn_mnist_uses_dann_svhn_and_dann_reads_its_conv_features_as_in_the_paper(make_config):
    cfg = make_config("dataset=svhn_mnist", "method=dann", "method.layer=conv3")
    assert cfg.backbone.name == "dann_svhn"
    method = build_method(cfg.method, build_model(cfg.backbone, (3, 32, 32), 10))
    widths = [layer.out_features for layer in method.adversarial.discriminator if isinstance(layer, Linear)]
    assert method.adversarial.discriminator[0].in_features == 8192
    assert widths == [1024, 1024, 1]


def test_backbone_lr_multiplier_reaches_its_parameter_group(make_config):
    cfg = make_config("backbone=lenet", "backbone.lr_mult=0.1")
    groups = build_model(cfg.backbone, (1, 28, 28), 10).parameter_groups()
    assert [group["lr_mult"] for group in groups] == [0.1, 1.0]
    assert sum(p.numel() for g in groups for p in g["params"]) == sum(
        p.numel() for p in build_model(cfg.backbone, (1, 28, 28), 10).parameters()
    )


@pytest.mark.parametrize(("backbone", "widths", "dropout"), [("mlp_1200x2", [1200, 1200], True), ("mlp_800x2", [800, 800], False)])
def test_hintons_mnist_mlps_flatten_images_and_regularise_only_the_teacher(make_config, backbone, widths, dropout):
    model = build_model(make_config(f"backbone={backbone}").backbone, (1, 28, 28), 10)
    linear = [m for m in model.modules() if isinstance(m, Linear)]
    assert [layer.out_features for layer in linear] == [*widths, 10] and linear[0].in_features == 784
    assert any(isinstance(m, torch.nn.Dropout) for m in model.modules()) == dropout
    model.eval()
    first = model(torch.zeros(2, 1, 28, 28))
    assert first.logits.shape == (2, 10) and first.blocks["fc2"].shape == (2, widths[1])
    model.train()
    images = torch.rand(8, 1, 28, 28)
    assert torch.equal(model(images).logits, model(images).logits) != dropout
