"""torchvision backbones: named blocks, local weight files, the offline ImageNet error, lr groups."""

from urllib.error import URLError

import pytest
import torch
from torchvision import models

from transferbench.errors import UserError
from transferbench.models import BACKBONES, build_model

SHAPE = (3, 64, 64)
BLOCKS = {
    "resnet18": (["conv1", "layer1", "layer2", "layer3", "layer4", "pool"], 512),
    "resnet50": (["conv1", "layer1", "layer2", "layer3", "layer4", "pool"], 2048),
    "alexnet": (["conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7"], 4096),
}


def scratch(name, **options):
    return BACKBONES.build(name, input_shape=SHAPE, pretrained=False, **options)


@pytest.mark.parametrize("name", sorted(BLOCKS))
def test_blocks_are_named_in_order_and_end_in_the_features(name):
    names, width = BLOCKS[name]
    backbone = scratch(name).eval()
    outputs = backbone.forward_blocks(torch.zeros(2, *SHAPE))
    assert list(outputs) == names
    assert backbone.out_features == width
    assert outputs[names[-1]].shape == (2, width)
    assert outputs["conv1"].shape[:2] == (2, 64)


def test_weights_file_is_loaded_block_by_block(tmp_path):
    saved = models.resnet18().state_dict()
    torch.save(saved, tmp_path / "resnet18.pth")
    loaded = scratch("resnet18", weights=str(tmp_path / "resnet18.pth")).state_dict()
    assert torch.equal(loaded["blocks.conv1.0.weight"], saved["conv1.weight"])
    assert torch.equal(loaded["blocks.conv1.1.running_var"], saved["bn1.running_var"])
    for key, tensor in saved.items():
        if key.startswith("layer"):
            assert torch.equal(loaded[f"blocks.{key}"], tensor)


def one_line_error(name, **options):
    with pytest.raises(UserError) as error:
        BACKBONES.build(name, input_shape=SHAPE, **options)
    message = str(error.value)
    assert "\n" not in message
    return message


def test_a_weights_file_that_does_not_fit_is_one_line(tmp_path):
    state = models.resnet18().state_dict()
    torch.save(state, tmp_path / "resnet18.pth")
    message = one_line_error("resnet50", weights=str(tmp_path / "resnet18.pth"))
    assert "does not fit torchvision's resnet50 (missing layer1.0.conv3.weight" in message
    assert "wrong shape layer1.0.conv1.weight" in message
    torch.save({**state, "extra.weight": torch.zeros(1)}, tmp_path / "extra.pth")
    message = one_line_error("resnet18", weights=str(tmp_path / "extra.pth"))
    assert "(unexpected extra.weight)" in message
    torch.save([torch.zeros(1)], tmp_path / "list.pth")
    message = one_line_error("resnet18", weights=str(tmp_path / "list.pth"))
    assert "it holds a list, not a state_dict" in message
    message = one_line_error("alexnet", weights=str(tmp_path / "missing.pth"))
    assert "cannot read backbone.options.weights=" in message


def test_pretrained_offline_without_a_file_says_both_fixes(tmp_path, monkeypatch):
    def offline(*_, **__):
        raise URLError("no network")

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setattr(torch.hub, "download_url_to_file", offline)
    message = one_line_error("resnet50", pretrained=True)
    assert message.startswith("cannot get torchvision's ImageNet weights for resnet50 (URLError")
    assert "backbone.options.weights=/path/to/resnet50.pth" in message
    assert "backbone.options.pretrained=false" in message


def test_gray_input_is_refused():
    with pytest.raises(UserError, match="takes RGB images"):
        BACKBONES.build("resnet18", input_shape=(1, 28, 28), pretrained=False)


def test_pretrained_layers_learn_at_a_tenth_of_the_new_ones(make_config):
    cfg = make_config("backbone=resnet18", "backbone.options.pretrained=false")
    assert cfg.backbone.lr_mult == 0.1 and cfg.backbone.bottleneck_dim == 256
    model = build_model(cfg.backbone, (3, 224, 224), 31)
    backbone, new = model.parameter_groups()
    assert (backbone["lr_mult"], new["lr_mult"]) == (0.1, 1.0)
    assert {id(p) for p in backbone["params"]} == {id(p) for p in model.backbone.parameters()}
    assert model(torch.zeros(2, 3, 64, 64)).logits.shape == (2, 31)
