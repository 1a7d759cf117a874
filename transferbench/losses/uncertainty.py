"""Task losses weighted by learned homoscedastic uncertainty (Kendall, Gal & Cipolla, "Multi-Task
Learning Using Uncertainty to Weigh Losses for Scene Geometry and Semantics", CVPR 2018, §3.2).

Each task i has a learned s_i = log σ_i² (initialised to 0, σ = 1). A regression task's Gaussian
likelihood gives (eq. 5-7)

    1/(2σ²) · L + log σ  =  ½ · exp(−s) · L + ½ · s,

a classification task's softmax scaled by 1/σ² gives, with the paper's approximation (eq. 10),

    1/σ² · L + log σ  =  exp(−s) · L + ½ · s;

the objective is their sum over tasks. A task with a large loss learns a large σ, which lowers its
weight, while log σ keeps σ from growing without bound. Learning s rather than σ keeps the weight
positive and the optimisation stable (§3.2).
"""

from __future__ import annotations

from typing import Iterable

import torch
from torch import nn


class UncertaintyWeighting(nn.Module):
    """Learned s_i = log σ_i² per named task; ``forward`` weighs each task's loss."""

    def __init__(self, tasks: Iterable[str]) -> None:
        super().__init__()
        self.log_variances = nn.ParameterDict({name: nn.Parameter(torch.zeros(())) for name in tasks})

    def forward(self, name: str, loss: torch.Tensor, regression: bool) -> torch.Tensor:
        """½ exp(−s) L + ½ s for a regression task, exp(−s) L + ½ s for a classification task."""
        s = self.log_variances[name]
        scale = 0.5 if regression else 1.0
        return scale * torch.exp(-s) * loss + 0.5 * s

    def weights(self) -> dict[str, float]:
        """Each task's effective weight exp(−s) (its 1/σ²)."""
        return {name: torch.exp(-s).item() for name, s in self.log_variances.items()}
