"""A plain chain of convolutional and fully connected layers, for layer-transfer experiments."""

from __future__ import annotations

from collections import OrderedDict
from typing import Sequence

from torch import nn

from transferbench.errors import UserError
from transferbench.models.backbone import Backbone
from transferbench.models.registry import BACKBONES


@BACKBONES.register("convnet")
def convnet(
    input_shape: Sequence[int], channels: Sequence[int] = (8, 16, 32), hidden: Sequence[int] = (128, 128)
) -> Backbone:
    """Yosinski et al. (NIPS 2014) transfer the layers of an AlexNet-style chain conv1–conv5, fc6,
    fc7 one at a time; this is such a chain scaled to small images. Each conv block is a 3×3 "same"
    convolution, ReLU and 2×2 max-pooling; each fc block a linear layer and ReLU. Blocks are numbered
    by depth (conv1, conv2, conv3, fc4, fc5 by default), so ``method.copy=n`` copies layers 1…n."""
    blocks: OrderedDict[str, nn.Module] = OrderedDict()
    width, side = input_shape[0], input_shape[-1]
    for depth, out_channels in enumerate(channels, start=1):
        side //= 2
        if side < 1:
            raise UserError(
                f"backbone convnet: {len(channels)} pooling stages leave nothing of "
                f"{input_shape[-1]}px inputs; list fewer options.channels"
            )
        blocks[f"conv{depth}"] = nn.Sequential(
            nn.Conv2d(width, out_channels, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)
        )
        width = out_channels
    width *= side * side
    for depth, units in enumerate(hidden, start=len(channels) + 1):
        flatten = [nn.Flatten()] if depth == len(channels) + 1 else []
        blocks[f"fc{depth}"] = nn.Sequential(*flatten, nn.Linear(width, units), nn.ReLU())
        width = units
    return Backbone(blocks, out_features=width)
