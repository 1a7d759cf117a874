"""Multilinear conditioning of CDAN (Long et al., NeurIPS 2018).

The domain discriminator sees features f ∈ R^{d_f} conditioned on predictions g ∈ R^{d_g} through

    T_⊗(f, g) = f ⊗ g, flattened to d_f · d_g entries, or its randomized form
    T_⊙(f, g) = (R_f f) ⊙ (R_g g) / √d,

with R_f ∈ R^{d × d_f} and R_g ∈ R^{d × d_g} drawn once with i.i.d. N(0, 1) entries and then kept
fixed. Since E[⟨T_⊙(f, g), T_⊙(f', g')⟩] = ⟨f, f'⟩⟨g, g'⟩ = ⟨T_⊗(f, g), T_⊗(f', g')⟩, the
randomized map preserves inner products in expectation with d ≪ d_f · d_g.

CDAN+E weighs each example by w = 1 + exp(−H(g)), favouring confident predictions.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from transferbench.losses.entropy import entropy


def multilinear_map(features: torch.Tensor, predictions: torch.Tensor) -> torch.Tensor:
    """T_⊗: the flattened outer product f ⊗ g of each row pair, n × (d_f · d_g)."""
    return (features.unsqueeze(2) * predictions.unsqueeze(1)).flatten(1)


class RandomizedMultilinearMap(nn.Module):
    """T_⊙ with fixed Gaussian matrices, stored as buffers so checkpoints keep them."""

    feature_projection: torch.Tensor
    prediction_projection: torch.Tensor

    def __init__(
        self, feature_dim: int, num_classes: int, output_dim: int = 1024,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        self.register_buffer(
            "feature_projection", torch.randn(output_dim, feature_dim, generator=generator)
        )
        self.register_buffer(
            "prediction_projection", torch.randn(output_dim, num_classes, generator=generator)
        )

    def forward(self, features: torch.Tensor, predictions: torch.Tensor) -> torch.Tensor:
        projected = (features @ self.feature_projection.T) * (
            predictions @ self.prediction_projection.T
        )
        return projected / math.sqrt(len(self.feature_projection))


def entropy_weights(logits: torch.Tensor) -> torch.Tensor:
    """CDAN+E's w = 1 + exp(−H(g)) for each row of logits, g = softmax(logits)."""
    return 1 + torch.exp(-entropy(logits))
