"""Backbone + optional bottleneck + linear head: the network every method trains."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import torch
from torch import nn

from transferbench.errors import UserError
from transferbench.models.backbone import Backbone


@dataclass
class ModelOutput:
    """What a forward pass exposes to methods.

    ``features`` is the representation the head classifies (the bottleneck when there is one);
    ``blocks`` maps every backbone block name, plus ``features`` and ``logits``, to its output;
    ``heads`` the logits of every extra head by its label space's name (``Classifier.add_head``).
    """

    logits: torch.Tensor
    features: torch.Tensor
    blocks: dict[str, torch.Tensor]
    heads: dict[str, torch.Tensor] = field(default_factory=dict)


class Classifier(nn.Module):
    """Image or vector classifier with named, addressable layers.

    The bottleneck (Linear → BatchNorm → ReLU) follows DAN/JAN/TLlib, which adapt a narrow
    layer between a (pre)trained feature extractor and the class head. Extra heads on the same
    features (another task's label space: the old task of continual learning, the tasks of
    multi-task learning) are added by name with :meth:`add_head`.
    """

    def __init__(
        self, backbone: Backbone, input_shape: Sequence[int], num_classes: int,
        bottleneck_dim: int | None = None, backbone_lr_mult: float = 1.0,
    ) -> None:
        super().__init__()
        self.backbone = backbone
        self.input_shape = tuple(input_shape)
        self.backbone_lr_mult = backbone_lr_mult
        if bottleneck_dim:
            self.bottleneck: nn.Module = nn.Sequential(
                nn.Linear(backbone.out_features, bottleneck_dim),
                nn.BatchNorm1d(bottleneck_dim),
                nn.ReLU(),
            )
            self.features_dim = bottleneck_dim
        else:
            self.bottleneck = nn.Identity()
            self.features_dim = backbone.out_features
        self.head = nn.Linear(self.features_dim, num_classes)
        self.heads = nn.ModuleDict()

    def add_head(self, name: str, head: nn.Module) -> None:
        """Another label space's head on the same features; its logits are ``heads[name]``."""
        if name in self.heads:
            raise ValueError(f"the classifier already has a head named {name}")
        self.heads[name] = head

    def forward(self, inputs: torch.Tensor) -> ModelOutput:
        return self.outputs(self.backbone.forward_blocks(inputs))

    def outputs(self, blocks: dict[str, torch.Tensor]) -> ModelOutput:
        """The bottleneck and the heads over the backbone's block outputs ``blocks`` (in order)."""
        features = self.bottleneck(next(reversed(blocks.values())).flatten(1))
        logits = self.head(features)
        blocks.update(features=features, logits=logits)
        heads = {name: head(features) for name, head in self.heads.items()}
        return ModelOutput(logits=logits, features=features, blocks=blocks, heads=heads)

    def layer_shapes(self) -> dict[str, tuple[int, ...]]:
        """The per-example output shape of every named layer, found with a probe forward pass."""
        was_training = self.training
        self.eval()
        with torch.no_grad():
            probe = next(self.parameters()).new_zeros(1, *self.input_shape)
            blocks = self(probe).blocks
        self.train(was_training)
        return {name: tuple(block.shape[1:]) for name, block in blocks.items()}

    def layer_width(self, layer: str) -> int:
        """Flattened width of a named layer's output."""
        shapes = self.layer_shapes()
        if layer not in shapes:
            raise UserError(f"unknown layer '{layer}'; choose one of: {', '.join(shapes)}")
        return math.prod(shapes[layer])

    def parameter_groups(self) -> list[dict]:
        """Backbone parameters at ``backbone_lr_mult`` × the base lr, the new layers at 1×."""
        return [
            {"params": list(self.backbone.parameters()), "lr_mult": self.backbone_lr_mult},
            {"params": self.new_parameters(), "lr_mult": 1.0},
        ]

    def new_parameters(self) -> list[nn.Parameter]:
        """The layers above the backbone: the bottleneck and every head."""
        return [*self.bottleneck.parameters(), *self.head.parameters(), *self.heads.parameters()]
