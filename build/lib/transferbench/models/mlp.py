"""Fully connected backbone for vector inputs such as the two-moons toy problem."""

from __future__ import annotations

from collections import OrderedDict
from typing import Sequence

from torch import nn

from transferbench.models.backbone import Backbone
from transferbench.models.registry import BACKBONES


@BACKBONES.register("mlp")
def mlp(input_shape: Sequence[int], hidden: Sequence[int] = (15,)) -> Backbone:
    """ReLU MLP; the DANN paper's moons experiment uses one hidden layer of 15 units."""
    blocks: OrderedDict[str, nn.Module] = OrderedDict()
    width = input_shape[0]
    for index, units in enumerate(hidden, start=1):
        blocks[f"fc{index}"] = nn.Sequential(nn.Linear(width, units), nn.ReLU())
        width = units
    return Backbone(blocks, out_features=width)
