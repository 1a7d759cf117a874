"""Small convolutional backbones for digits (28×28, and 32×32 for SVHN)."""

from __future__ import annotations

import math
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

    The paper attaches its domain classifier to ``conv2`` (use ``method.layer=conv2``). Each conv
    is pooled before its ReLU: the same function and gradients as ReLU-then-pool (both are
    monotone), with the ReLU on a quarter of the values.
    """
    return Backbone(
        OrderedDict(
            conv1=nn.Sequential(nn.Conv2d(input_shape[0], 32, 5), nn.MaxPool2d(2), nn.ReLU()),
            conv2=nn.Sequential(nn.Conv2d(32, 48, 5), nn.MaxPool2d(2), nn.ReLU(), nn.Flatten()),
            fc1=nn.Sequential(nn.Linear(_flat_size(input_shape, 48), 100), nn.ReLU()),
            fc2=nn.Sequential(nn.Linear(100, 100), nn.ReLU()),
        ),
        out_features=100,
    )


@BACKBONES.register("dann_svhn")
def dann_svhn(input_shape: Sequence[int]) -> Backbone:
    """The SVHN network of DANN (Ganin et al., JMLR 2016, Fig. 4b): conv64-conv64-conv128-fc3072-fc2048.

    Each layer is followed by ReLU; the first two convs by 3×3 max-pooling with stride 2. The paper
    states no padding, and unpadded 5×5 convs leave nothing of a 32×32 input at ``conv3``
    (32→28→13→9→4→0), so we take the cuda-convnet/Caffe conventions of the network DANN adopts
    (Srivastava et al., JMLR 2014): "same" convs (padding 2) and pooling with padding 1, which halves
    each side as Caffe's ceil rounding does (32→16→8; ``conv3`` gives 128·8·8 = 8192 features).
    No dropout, as in the paper. There ``fc1``-``fc2`` belong to the label predictor and the domain
    classifier (fc1024-fc1024) reads the conv features: use ``method.layer=conv3`` for that.
    """
    side = math.ceil(input_shape[-1] / 4)  # after two halvings that round up
    return Backbone(
        OrderedDict(
            conv1=_conv_relu_pool(input_shape[0], 64),
            conv2=_conv_relu_pool(64, 64),
            conv3=nn.Sequential(nn.Conv2d(64, 128, 5, padding=2), nn.ReLU(), nn.Flatten()),
            fc1=nn.Sequential(nn.Linear(128 * side * side, 3072), nn.ReLU()),
            fc2=nn.Sequential(nn.Linear(3072, 2048), nn.ReLU()),
        ),
        out_features=2048,
    )


def _conv_relu_pool(in_channels: int, out_channels: int) -> nn.Sequential:
    """5×5 "same" convolution, ReLU, 3×3 max-pooling with stride 2 that halves each side (rounding up)."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2, padding=1)
    )


def _flat_size(input_shape: Sequence[int], channels: int) -> int:
    """Flattened size after two (5×5 valid conv, 2×2 pool) stages."""
    side = ((input_shape[-1] - 4) // 2 - 4) // 2
    return channels * side * side
