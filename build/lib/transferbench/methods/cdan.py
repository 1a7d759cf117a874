"""CDAN: conditional adversarial domain adaptation (Long et al., NeurIPS 2018, §3).

    L = CE(source) + λ · L_D(T(f, g)),

DANN's adversarial game played on the multilinear map T(f, g) of the bottleneck features f and
the class probabilities g, so that the discriminator aligns the joint distribution of features
and predictions (``losses/conditional_adversarial.py``). As in the paper, T is the full outer
product f ⊗ g when d_f · C ≤ 4096 and the randomized map (R_f f) ⊙ (R_g g) / √1024 otherwise;
the gradient reversal follows DANN's schedule λ_p = 2 / (1 + exp(−γ p)) − 1. ``entropy: true``
is CDAN+E (entropy conditioning, §3.3), registered on its own as ``cdan_e``.
"""

from __future__ import annotations

from typing import Any, Mapping

import torch

from transferbench.losses import RandomizedMultilinearMap, multilinear_map
from transferbench.losses.conditional_adversarial import (
    ConditionalDomainAdversarialLoss,
    Conditioning,
)
from transferbench.methods.alignment import AlignmentMethod
from transferbench.methods.registry import METHODS
from transferbench.models import Classifier, DomainDiscriminator
from transferbench.models.classifier import ModelOutput
from transferbench.schedules import adaptation_factor


@METHODS.register("cdan")
class CDAN(AlignmentMethod):
    term = "domain"

    def __init__(
        self, model: Classifier, trade_off: float = 1.0, gamma: float = 10.0, entropy: bool = False,
        randomized_dim: int = 1024, max_full_dim: int = 4096,
        discriminator: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(model, trade_off)
        self.gamma = gamma
        conditioning, width = conditioning_map(
            model.layer_width("features"), model.layer_width("logits"), randomized_dim, max_full_dim
        )
        self.adversarial = ConditionalDomainAdversarialLoss(
            DomainDiscriminator(width, **dict(discriminator or {})), conditioning, entropy
        )

    def alignment(self, source: ModelOutput, target: ModelOutput, progress: float) -> torch.Tensor:
        return self.adversarial(
            source.features, target.features, source.logits, target.logits,
            adaptation_factor(progress, self.gamma),
        )


def conditioning_map(
    features_dim: int, num_classes: int, randomized_dim: int, max_full_dim: int
) -> tuple[Conditioning, int]:
    """T_⊗ when its d_f · C entries are at most ``max_full_dim``, else T_⊙; and T's width."""
    if features_dim * num_classes <= max_full_dim:
        return multilinear_map, features_dim * num_classes
    return RandomizedMultilinearMap(features_dim, num_classes, randomized_dim), randomized_dim
