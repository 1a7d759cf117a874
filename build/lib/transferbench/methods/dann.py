"""DANN: domain-adversarial training of neural networks (Ganin et al., JMLR 2016).

Loss: cross-entropy on labelled source data plus ``trade_off`` × the domain-adversarial loss of
a discriminator on the chosen layer, behind a gradient reversal layer whose coefficient follows
the paper's schedule λ_p = 2 / (1 + exp(−γ p)) − 1 (§5.2.2).
"""

from __future__ import annotations

from typing import Any, Mapping

import torch

from transferbench.losses import DomainAdversarialLoss
from transferbench.methods.alignment import AlignmentMethod, rows
from transferbench.methods.registry import METHODS
from transferbench.models import Classifier, DomainDiscriminator
from transferbench.models.classifier import ModelOutput
from transferbench.schedules import adaptation_factor


@METHODS.register("dann")
class DANN(AlignmentMethod):
    term = "domain"

    def __init__(
        self, model: Classifier, trade_off: float = 1.0, gamma: float = 10.0,
        layer: str = "features", discriminator: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(model, trade_off)
        self.gamma, self.layer = gamma, layer
        self.adversarial = DomainAdversarialLoss(
            DomainDiscriminator(model.layer_width(layer), **dict(discriminator or {}))
        )

    def alignment(self, source: ModelOutput, target: ModelOutput, progress: float) -> torch.Tensor:
        coefficient = adaptation_factor(progress, self.gamma)
        return self.adversarial(rows(source, self.layer), rows(target, self.layer), coefficient)
