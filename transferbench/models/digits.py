"""Small convolutional backbones for 28×28 digits."""

from __future__ import annotations

from collections import OrderedDict
from typing import Sequence

from torch import nn

from transferbench.models.backbone import Backbone
from transferbench.models.registry import BACKBONES


@BACKBONES.register("lenet")
def lenet(input_shape: Sequence[int]) -> Backbone:
    """LeNet for digits as in ADDA (Tzeng et al., CVPR 2017) and TLlib: conv20-conv50-fc500."""
    return Backbone(
        OrderedDict(
            conv1=nn.Sequential(nn.Conv2d(input_shape[0], 20, 5), nn.MaxPool2d(2), nn.ReLU()),
            conv2=nn.Sequential(
                nn.Conv2d(20, 50, 5), nn.Dropout2d(0.5), nn.MaxPool2d(2), nn.ReLU(), nn.Flatten()
            ),
            fc=nn.Sequential(nn.Linear(_flat_size(input_shape, 50), 500), nn.ReLU(), nn.Dropout(0.5)),
        ),
        out_features=500,
    )


@BACKBONES.register("dann_mnist")
def dann_mnist(input_shape: Sequence[int]) -> Backbone:
    """The MNIST network of DANN (Ganin et al., JMLR 2016, Fig. 4): conv32-conv48-fc100-fc100.

    The paper attaches its domain classifier to ``conv2`` (use ``method.layer=conv2``).
    """
    return Backbone(
        OrderedDict(
            conv1=nn.Sequential(nn.Conv2d(input_shape[0], 32, 5), nn.ReLU(), nn.MaxPool2d(2)),
            conv2=nn.Sequential(nn.Conv2d(32, 48, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten()),
            fc1=nn.Sequential(nn.Linear(_flat_size(input_shape, 48), 100), nn.ReLU()),
            fc2=nn.Sequential(nn.Linear(100, 100), nn.ReLU()),
        ),
        out_features=100,
    )


def _flat_size(input_shape: Sequence[int], channels: int) -> int:
    """Flattened size after two (5×5 valid conv, 2×2 pool) stages."""
    side = ((input_shape[-1] - 4) // 2 - 4) // 2
    return channels * side * side
