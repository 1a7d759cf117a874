"""Attention transfer and full-activation transfer (Zagoruyko & Komodakis, "Paying More Attention
to Attention", ICLR 2017, §3.1), and FitNets' hints (Romero et al., ICLR 2015).

The activation-based attention map of a layer's output A (C × H × W) is

    F(A) = Σ_c |A_c|^p      (p = 2 by default),

flattened to a vector Q of H·W entries (for a fully connected layer, here, |a|^p over its units). Attention transfer penalises, over chosen pairs j of
student and teacher layers of equal spatial size,

    β/2 · Σ_j ‖ Q_S^j / ‖Q_S^j‖₂ − Q_T^j / ‖Q_T^j‖₂ ‖².

The paper writes the norm in eq. 2 and sets β = 10³ divided by the number of entries of the
attention map and by the batch size; its released code squares the difference and averages it
over the batch and the H·W positions, which is what :func:`attention_transfer_loss` computes, so
β = 10³ is the paper's value. Full-activation transfer (F-ActT, the paper's ablation) matches the
whole activations instead: β/2 · Σ_j mean ‖A_S^j − A_T^j‖². FitNets' hints are the same term
after a learned regressor maps the student's activation to the teacher's width.
"""

from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F


def attention_map(activation: torch.Tensor, power: float = 2.0) -> torch.Tensor:
    """Σ_c |A_c|^p of an ``(N, C, H, W)`` activation, flattened and L2-normalised: ``(N, H·W)``.
    A vector layer ``(N, D)`` counts each unit as a position of one channel: |a|^p, normalised."""
    if activation.dim() not in (2, 4):
        raise ValueError(f"an attention map needs (N, C, H, W) or (N, D) activations, got {tuple(activation.shape)}")
    energy = activation.abs().pow(power)
    return F.normalize(energy.sum(dim=1).flatten(1) if activation.dim() == 4 else energy, dim=1)


def attention_transfer_loss(
    student: Sequence[torch.Tensor], teacher: Sequence[torch.Tensor], power: float = 2.0
) -> torch.Tensor:
    """Σ_j mean over batch and positions of (Q_S^j − Q_T^j)² for normalised attention maps."""
    return sum(
        (attention_map(s, power) - attention_map(t, power)).pow(2).mean()
        for s, t in zip(student, teacher, strict=True)
    )


def activation_transfer_loss(student: Sequence[torch.Tensor], teacher: Sequence[torch.Tensor]) -> torch.Tensor:
    """Σ_j mean over batch and entries of (A_S^j − A_T^j)²: F-ActT, or hints after a regressor."""
    return sum(F.mse_loss(s, t) for s, t in zip(student, teacher, strict=True))
