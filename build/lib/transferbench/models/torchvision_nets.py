"""ImageNet backbones from torchvision, split into named blocks: ResNet-18/50 (He et al., CVPR 2016)
and AlexNet (Krizhevsky et al., NIPS 2012).

DAN (Long et al., ICML 2015), JAN (Long et al., ICML 2017) and TLlib fine-tune these from ImageNet
weights. ``pretrained`` loads torchvision's ``IMAGENET1K_V1`` weights (the original release TLlib
uses), downloaded into ``$TORCH_HOME`` once; ``weights`` names a local file holding the state_dict of
the torchvision model instead (and implies ``pretrained``). The ImageNet class head is dropped.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Mapping, Sequence

from torch import nn
from torchvision import models

from transferbench.files import load_torch
from transferbench.errors import UserError, first_line
from transferbench.models.backbone import Backbone
from transferbench.models.registry import BACKBONES
from transferbench.models.weights import mismatch


@BACKBONES.register("resnet18")
def resnet18(input_shape: Sequence[int], pretrained: bool = True, weights: str | None = None) -> Backbone:
    """ResNet-18: blocks conv1, layer1–layer4, pool; 512 features."""
    return _resnet(torchvision_model("resnet18", input_shape, pretrained, weights))


@BACKBONES.register("resnet50")
def resnet50(input_shape: Sequence[int], pretrained: bool = True, weights: str | None = None) -> Backbone:
    """ResNet-50, the backbone of DAN/JAN/CDAN on Office-31: blocks conv1, layer1–layer4, pool;
    2048 features."""
    return _resnet(torchvision_model("resnet50", input_shape, pretrained, weights))


@BACKBONES.register("alexnet")
def alexnet(input_shape: Sequence[int], pretrained: bool = True, weights: str | None = None) -> Backbone:
    """AlexNet, the backbone of DDC, DAN and the DANN paper's Office experiments: blocks conv1–conv5
    (each with its ReLU, and max-pooling after conv1, conv2, conv5), fc6, fc7; 4096 features.

    DAN adapts fc6–fc8 and JAN fc7–fc8; address them as ``fc6``, ``fc7`` and ``logits``.
    """
    net = torchvision_model("alexnet", input_shape, pretrained, weights)
    features, classifier = net.features, net.classifier
    blocks = OrderedDict(
        conv1=features[0:3], conv2=features[3:6], conv3=features[6:8], conv4=features[8:10],
        conv5=features[10:13], fc6=nn.Sequential(net.avgpool, nn.Flatten(), *classifier[0:3]),
        fc7=classifier[3:6],
    )
    return Backbone(blocks, out_features=classifier[4].out_features)


def _resnet(net: models.ResNet) -> Backbone:
    blocks = OrderedDict(
        conv1=nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool),
        layer1=net.layer1, layer2=net.layer2, layer3=net.layer3, layer4=net.layer4,
        pool=nn.Sequential(net.avgpool, nn.Flatten()),
    )
    return Backbone(blocks, out_features=net.fc.in_features)


def torchvision_model(
    name: str, input_shape: Sequence[int], pretrained: bool, weights: str | None
) -> nn.Module:
    """torchvision's ``name`` with the weights of the ``weights`` file, else ImageNet's when
    ``pretrained``, else randomly initialised."""
    if input_shape[0] != 3:
        raise UserError(f"backbone {name} takes RGB images; set dataset.channels=3")
    net = models.get_model(name, weights=None)
    if weights is not None:
        _load(net, name, _read(Path(weights).expanduser()), f"backbone.options.weights={weights}")
    elif pretrained:
        _load(net, name, _imagenet_state(name), f"torchvision's ImageNet weights for {name}")
    return net


def _read(path: Path) -> object:
    return load_torch(
        path, f"backbone.options.weights={path}",
        "; point it at a file saved with torch.save(model.state_dict(), path)",
    )


def _imagenet_state(name: str) -> object:
    try:
        return models.get_model_weights(name)["IMAGENET1K_V1"].get_state_dict(progress=False)
    except Exception as error:  # offline, the download fails in many ways
        raise UserError(
            f"cannot get torchvision's ImageNet weights for {name} ({first_line(error)}); set "
            f"backbone.options.weights=/path/to/{name}.pth (a saved state_dict of torchvision's {name}) "
            "or backbone.options.pretrained=false to train from scratch"
        ) from error


def _load(net: nn.Module, name: str, state: object, origin: str) -> None:
    """Load ``state`` into ``net`` or stop with one line saying what does not fit."""
    if not isinstance(state, Mapping):
        problem = f"it holds a {type(state).__name__}, not a state_dict"
    else:
        problem = mismatch(net.state_dict(), state)
    if problem:
        raise UserError(
            f"{origin} does not fit torchvision's {name} ({problem}); use a state_dict of that model "
            "or backbone.options.pretrained=false"
        )
    net.load_state_dict(state, strict=False)
