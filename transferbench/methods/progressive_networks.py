"""Progressive neural networks (Rusu, Rabinowitz, Desjardins et al., arXiv:1606.04671, 2016).

The network of an earlier task (a finished run, ``method.old``) is kept as a frozen column; the new
task trains a new column (the run's classifier, from scratch) that reads the frozen column's layer
outputs through lateral adapters (§2, "Adapters"):

    h_i^(2) = f_i( h_{i−1}^(2) + U_i σ( V_i α_i h_{i−1}^(1) ) ),

where f_i is the new column's i-th block (its first operation is the block's linear map W_i, so
W_i U_i is the paper's lateral weight), α_i a learned scalar initialised to a small random value, V_i
a 1×1 convolution (feature maps) or a linear map (vectors) onto the new column's width, σ a ReLU and
U_i a map of that width. The first block reads the image only; the heads read the new column's
features plus their own lateral. Only the new column and the adapters are trained, with the new
task's cross-entropy. The old column is never updated, so the old task's accuracy (``old_acc``,
predicted by the old column and its head) is the earlier run's by construction.

One earlier column per run: the old run must be a single-column network (not itself progressive).
"""

from __future__ import annotations

from typing import Any, Mapping

import torch
import torch.nn.functional as F
from torch import nn

from transferbench.errors import UserError
from transferbench.methods.base import Batch, Method
from transferbench.methods.continual import OLD
from transferbench.methods.registry import METHODS
from transferbench.methods.teacher import Teacher
from transferbench.models import Classifier
from transferbench.models.classifier import ModelOutput

#: The upper bound of the adapters' scalars α at initialisation ("a random small value", §2).
ALPHA_INIT = 0.1


class Adapter(nn.Module):
    """U σ(V α h): the non-linear lateral connection from one column's layer output to another's."""

    def __init__(self, source_shape: tuple[int, ...], target_shape: tuple[int, ...]) -> None:
        super().__init__()
        self.alpha = nn.Parameter(torch.empty(()).uniform_(0.0, ALPHA_INIT))
        width = target_shape[0]
        if len(source_shape) == 3:
            self.reduce, self.expand = nn.Conv2d(source_shape[0], width, 1), nn.Conv2d(width, width, 1)
        else:
            self.reduce, self.expand = nn.Linear(source_shape[0], width), nn.Linear(width, width)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.expand(F.relu(self.reduce(self.alpha * inputs)))


@METHODS.register("progressive_networks")
class ProgressiveNetworks(Method):
    def __init__(self, model: Classifier, old: str) -> None:
        super().__init__(model)
        self.column = Teacher(old, model, option="method.old", same_labels=False)
        if self.column.identity["method"] == "progressive_networks":
            raise UserError(
                f"method.old={old} is itself a progressive network; give the run of a single-column "
                "network (one earlier column per run)"
            )
        self.adapters = nn.ModuleList(lateral_adapters(self.column.network, model))

    def related_tasks(self) -> dict[str, Mapping[str, Any]]:
        return {OLD: self.column.task}

    def provenance(self) -> dict[str, Any]:
        return {OLD: self.column.identity}

    def forward_columns(self, inputs: torch.Tensor) -> tuple[ModelOutput, ModelOutput]:
        """The new column's outputs (with the laterals) and the frozen column's."""
        old = self.column(inputs)
        names = list(self.model.backbone.blocks)
        blocks: dict[str, torch.Tensor] = {}
        hidden = inputs
        for index, name in enumerate(names):
            if index > 0:
                hidden = hidden + self.adapters[index - 1](old.blocks[names[index - 1]])
            hidden = blocks[name] = self.model.backbone.blocks[name](hidden)
        blocks[names[-1]] = hidden + self.adapters[-1](old.blocks[names[-1]])
        return self.model.outputs(blocks), old

    def losses(self, source: Batch, target: Batch, progress: float) -> dict[str, torch.Tensor]:
        new, _ = self.forward_columns(source.inputs)
        return {"classification": F.cross_entropy(new.logits, source.labels)}

    @torch.no_grad()
    def predict(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.forward_columns(inputs)[0].logits

    @torch.no_grad()
    def predict_related(self, name: str, inputs: torch.Tensor) -> torch.Tensor:
        """The old task is predicted by the frozen column and its own head."""
        return self.column(inputs).logits


def lateral_adapters(old: Classifier, new: Classifier) -> list[Adapter]:
    """An adapter from each block of ``old`` to the input of the next block of ``new`` (the last
    one: to the input of its heads), shaped as the same block of ``new`` outputs; the two columns'
    blocks must agree in height and width."""
    old_shapes, new_shapes = old.layer_shapes(), new.layer_shapes()
    names = list(new.backbone.blocks)
    if list(old.backbone.blocks) != names:
        raise UserError(
            f"the old column's blocks ({', '.join(old.backbone.blocks)}) differ from this run's "
            f"({', '.join(names)}); use the backbone the old run was trained with"
        )
    adapters = []
    for name in names:
        source, target = old_shapes[name], new_shapes[name]
        if source[1:] != target[1:] or len(source) != len(target):
            raise UserError(
                f"block {name} outputs {source} in the old column and {target} in the new one; lateral "
                "connections need equal height and width: use the old run's image size and backbone"
            )
        adapters.append(Adapter(source, target))
    return adapters
