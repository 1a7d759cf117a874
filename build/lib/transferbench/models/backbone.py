"""The feature-extractor contract shared by every backbone."""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn


class Backbone(nn.Module):
    """An ordered chain of named blocks; the last block's flattened output is the feature.

    Methods that align several layers (DAN, JAN) or transfer some layers and not others
    (fine-tuning, Yosinski's AnB) address the blocks by name.
    """

    def __init__(self, blocks: "OrderedDict[str, nn.Module]", out_features: int) -> None:
        super().__init__()
        self.blocks = nn.ModuleDict(blocks)
        self.out_features = out_features

    def forward_blocks(self, inputs: torch.Tensor) -> dict[str, torch.Tensor]:
        """Every block's output, in order."""
        outputs = {}
        for name, block in self.blocks.items():
            inputs = block(inputs)
            outputs[name] = inputs
        return outputs

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        for block in self.blocks.values():
            inputs = block(inputs)
        return inputs.flatten(1)
