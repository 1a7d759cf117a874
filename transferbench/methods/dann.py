"""DANN: domain-adversarial training of neural networks (Ganin et al., JMLR 2016).

Loss: cross-entropy on labelled source data plus ``trade_off`` × the domain-adversarial loss of
a discriminator on the chosen layer, behind a gradient reversal layer whose coefficient follows
the paper's schedule λ_p = 2 / (1 + exp(−γ p)) − 1 (§5.2.2).
"""

from __future__ import annotations

from typing import Any, Mapping

import torch
import torch.nn.functional as F

from transferbench.losses import DomainAdversarialLoss
from transferbench.methods.base import Batch, Method
from transferbench.methods.registry import METHODS
from transferbench.models import Classifier, DomainDiscriminator
from transferbench.schedules import adaptation_factor


@METHODS.register("dann")
class DANN(Method):
    def __init__(
        self, model: Classifier, trade_off: float = 1.0, gamma: float = 10.0,
        layer: str = "features", discriminator: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(model)
        self.trade_off, self.gamma, self.layer = trade_off, gamma, layer
        self.adversarial = DomainAdversarialLoss(
            DomainDiscriminator(model.layer_width(layer), **dict(discriminator or {}))
        )

    def losses(self, source: Batch, target: Batch, progress: float) -> dict[str, torch.Tensor]:
        outputs = self.model(torch.cat([source.inputs, target.inputs]))
        count = len(source.inputs)
        aligned = outputs.blocks[self.layer].flatten(1)
        domain = self.adversarial(
            aligned[:count], aligned[count:], adaptation_factor(progress, self.gamma)
        )
        return {
            "classification": F.cross_entropy(outputs.logits[:count], source.labels),
            "domain": self.trade_off * domain,
        }
