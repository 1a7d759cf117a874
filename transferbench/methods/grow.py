"""Growing a pre-trained network before fine-tuning (Wang, Ramanan & Hebert, "Growing a Brain:
Fine-Tuning by Increasing Model Capacity", CVPR 2017).

The network comes from an earlier run (``backbone.weights``); its top block h (the features the
head reads) is grown before the new task's head:

- ``widen`` (WA-CNN): ``units`` new random units beside the top block, computed from the block
  below it, u = ReLU(W_u · h_{−1}); a new head reads [h ; u];
- ``deepen`` (DA-CNN): a new layer above it, u = ReLU(W_u · h); a new head reads u.

Pre-trained units have far larger activations than new random ones, which then learn little; with
``scale`` each part is L2-normalised and multiplied by a learned per-unit scale γ (§3.3, after
ParseNet), initialised to √width so that a unit's mean square starts at 1:

    x ↦ γ ⊙ x / ‖x‖₂.

Which pre-trained blocks train follows ``finetune``'s policy: all frozen (``copied: freeze``, "new
only"), the top block fine-tuned above frozen ones ("top + new": ``policy: {fc5: finetune}`` with
``copied: freeze``), or all fine-tuned (the default); the new units, scales and head always train.
"""

from __future__ import annotations

import math
from typing import Mapping

import torch
import torch.nn.functional as F
from torch import nn

from transferbench.errors import UserError
from transferbench.methods.base import Batch
from transferbench.methods.finetune import Finetune
from transferbench.methods.registry import METHODS
from transferbench.models import Classifier

MODES = ("widen", "deepen")


class Scaled(nn.Module):
    """γ ⊙ x / ‖x‖₂ with a learned per-unit γ (initialised to √width), or the identity."""

    def __init__(self, width: int, scale: bool) -> None:
        super().__init__()
        self.gamma = nn.Parameter(torch.full((width,), math.sqrt(width))) if scale else None

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return inputs if self.gamma is None else self.gamma * F.normalize(inputs, dim=1)


@METHODS.register("grow")
class GrowNetwork(Finetune):
    def __init__(
        self, model: Classifier, mode: str = "widen", units: int = 128, scale: bool = True,
        copy: int | str | None = None, copied: str = "finetune", rest: str = "finetune",
        policy: Mapping[str, str] | None = None, lr_mult: Mapping[str, float] | None = None,
    ) -> None:
        if mode not in MODES:
            raise UserError(f"method.mode={mode} is not one of: {', '.join(MODES)}")
        if units < 1:
            raise UserError(f"method.units={units} must be at least 1 (the new units)")
        if not isinstance(model.bottleneck, nn.Identity):
            raise UserError("method=grow grows the backbone's top block; use a backbone without a bottleneck "
                            "(backbone.bottleneck_dim=null)")
        super().__init__(model, copy, copied, rest, policy, lr_mult)
        names = list(model.backbone.blocks)
        if mode == "widen" and len(names) < 2:
            raise UserError("method.mode=widen needs a backbone of two blocks or more (it widens the top one)")
        shapes = model.layer_shapes()
        below = math.prod(shapes[names[-2]]) if mode == "widen" else model.features_dim
        self.mode = mode
        self.top = Scaled(model.features_dim, scale)
        self.new_units = nn.Sequential(nn.Flatten(), nn.Linear(below, units), nn.ReLU())
        self.new_scale = Scaled(units, scale)
        width = model.features_dim + units if mode == "widen" else units
        self.grown_head = nn.Linear(width, model.head.out_features)

    def parameter_groups(self) -> list[dict]:
        """``finetune``'s groups of pre-trained blocks, then the new units, scales and head at the
        base learning rate (the classifier's own head, which the grown features replace, rests)."""
        blocks = [group for group in super().parameter_groups() if group["name"] != "head"]
        return blocks + [{"params": self.grown_parameters(), "lr_mult": 1.0, "name": "grown"}]

    def grown_parameters(self) -> list[nn.Parameter]:
        return [*self.top.parameters(), *self.new_units.parameters(), *self.new_scale.parameters(),
                *self.grown_head.parameters()]

    def features(self, inputs: torch.Tensor) -> torch.Tensor:
        """What the head reads: [scaled top ; scaled new units] (widen) or the scaled new layer (deepen)."""
        blocks = self.model.backbone.forward_blocks(inputs)
        values = list(blocks.values())
        top = values[-1].flatten(1)
        if self.mode == "deepen":
            return self.new_scale(self.new_units(self.top(top)))
        return torch.cat([self.top(top), self.new_scale(self.new_units(values[-2]))], dim=1)

    def losses(self, source: Batch, target: Batch, progress: float) -> dict[str, torch.Tensor]:
        return {"classification": F.cross_entropy(self.grown_head(self.features(source.inputs)), source.labels)}

    @torch.no_grad()
    def predict(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.grown_head(self.features(inputs))
