"""Conditional domain-adversarial loss of CDAN and CDAN+E (Long et al., NeurIPS 2018, §3).

The discriminator D sees the features f conditioned on the class probabilities g = softmax(l)
through a multilinear map T (``conditional.py``), behind the gradient reversal R_λ:

    L = ½ Σ_{i∈S} w_i ℓ(D(R_λ T(f_i, g_i)), 1) / Σ_{i∈S} w_i
      + ½ Σ_{j∈T} w_j ℓ(D(R_λ T(f_j, g_j)), 0) / Σ_{j∈T} w_j,

with ℓ the binary cross-entropy of a logit, w ≡ 1 for CDAN and, with entropy conditioning
(CDAN+E), w = 1 + exp(−H(g)), normalised within each domain as in the authors' code. With w ≡ 1
and equal batch sizes it is DANN's loss on T(f, g). As in the authors' code and TLlib, g carries
no gradient: the predictions condition the discriminator without being trained by it; w is
detached as in TLlib.
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from transferbench.losses.conditional import entropy_weights, multilinear_map
from transferbench.losses.distributed import over_all_processes
from transferbench.losses.grl import reverse_gradient

Conditioning = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


class ConditionalDomainAdversarialLoss(nn.Module):
    """Weighted binary cross-entropy of a discriminator on T(f, g) behind a gradient reversal."""

    def __init__(
        self, discriminator: nn.Module, conditioning: Conditioning = multilinear_map,
        entropy_conditioning: bool = False,
    ) -> None:
        super().__init__()
        self.discriminator = discriminator
        self.conditioning = conditioning
        self.entropy_conditioning = entropy_conditioning

    def forward(
        self, source_features: torch.Tensor, target_features: torch.Tensor,
        source_logits: torch.Tensor, target_logits: torch.Tensor, coefficient: float,
    ) -> torch.Tensor:
        logits = torch.cat([source_logits, target_logits]).detach()
        joint = self.conditioning(torch.cat([source_features, target_features]), logits.softmax(1))
        domain_logits = self.discriminator(reverse_gradient(joint, coefficient)).squeeze(1)
        count, target_count = len(source_features), len(target_features)
        domains = torch.cat([domain_logits.new_ones(count), domain_logits.new_zeros(target_count)])
        losses = F.binary_cross_entropy_with_logits(domain_logits, domains, reduction="none")
        weights = entropy_weights(logits) if self.entropy_conditioning else torch.ones_like(losses)
        source, target = slice(None, count), slice(count, None)
        return (_mean(losses[source], weights[source]) + _mean(losses[target], weights[target])) / 2


@over_all_processes
def _mean(values: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Σ w_i v_i / Σ w_i."""
    return (weights * values).sum() / weights.sum()
