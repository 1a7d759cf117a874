"""Fully connected backbones: for vector inputs (the two moons) and for flattened images (the MLPs
of Hinton et al.'s MNIST distillation experiment)."""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import Sequence

from torch import nn

from transferbench.models.backbone import Backbone
from transferbench.models.registry import BACKBONES


@BACKBONES.register("mlp")
def mlp(
    input_shape: Sequence[int], hidden: Sequence[int] = (15,), dropout: float = 0.0,
    input_dropout: float = 0.0,
) -> Backbone:
    """ReLU MLP on flattened inputs (the DANN paper's moons experiment uses one hidden layer of 15
    units); ``dropout`` after each hidden layer and ``input_dropout`` on the inputs (Srivastava et
    al., JMLR 2014)."""
    blocks: OrderedDict[str, nn.Module] = OrderedDict()
    width = math.prod(input_shape)
    for index, units in enumerate(hidden, start=1):
        first = [*_flatten(input_shape), *_dropout(input_dropout)] if index == 1 else []
        blocks[f"fc{index}"] = nn.Sequential(*first, nn.Linear(width, units), nn.ReLU(), *_dropout(dropout))
        width = units
    return Backbone(blocks, out_features=width)


def _flatten(input_shape: Sequence[int]) -> list[nn.Module]:
    return [nn.Flatten()] if len(input_shape) > 1 else []


def _dropout(rate: float) -> list[nn.Module]:
    return [nn.Dropout(rate)] if rate > 0 else []


@BACKBONES.register("mlp_1200x2")
def mlp_1200x2(input_shape: Sequence[int], dropout: float = 0.5, input_dropout: float = 0.2) -> Backbone:
    """The teacher of Hinton, Vinyals & Dean (2015, §3): 784-1200-1200-10 ReLU "strongly
    regularized using dropout" (rates of Srivastava et al.'s MNIST nets; their max-norm weight
    constraint is left out)."""
    return mlp(input_shape, (1200, 1200), dropout, input_dropout)


@BACKBONES.register("mlp_800x2")
def mlp_800x2(input_shape: Sequence[int], dropout: float = 0.0, input_dropout: float = 0.0) -> Backbone:
    """The student of Hinton, Vinyals & Dean (2015, §3): 784-800-800-10 ReLU, "no regularization"."""
    return mlp(input_shape, (800, 800), dropout, input_dropout)
