"""Domain-adversarial loss of DANN (Ganin et al., JMLR 2016, eq. 9-10).

With discriminator D, features f and the gradient reversal R_λ, the paper's domain loss is the
sum of two expectations,

    L_d = −E_{x∼S}[log σ(D(R_λ(f(x))))] − E_{x∼T}[log(1 − σ(D(R_λ(f(x)))))]

Minimising L_d trains D to tell the domains apart while, through R_λ, the feature extractor
maximises it, driving f towards domain-invariant features.

Scale: this module returns the binary cross-entropy averaged over the pooled batch (n source and
m target rows), (n·Ê_S + m·Ê_T) / (n + m), which is ½ L_d when n = m, as every protocol here
draws them. TLlib's ``DomainAdversarialLoss`` returns the same ½ (Ê_S + Ê_T); the paper's sum is
``trade_off=2`` here.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from transferbench.losses.grl import reverse_gradient


class DomainAdversarialLoss(nn.Module):
    """Binary cross-entropy of a domain discriminator behind a gradient reversal layer."""

    def __init__(self, discriminator: nn.Module) -> None:
        super().__init__()
        self.discriminator = discriminator

    def forward(
        self, source_features: torch.Tensor, target_features: torch.Tensor, coefficient: float
    ) -> torch.Tensor:
        features = reverse_gradient(torch.cat([source_features, target_features]), coefficient)
        logits = self.discriminator(features).squeeze(1)
        domains = torch.cat(
            [logits.new_ones(len(source_features)), logits.new_zeros(len(target_features))]
        )
        return F.binary_cross_entropy_with_logits(logits, domains)
