"""Gradient reversal layer (Ganin & Lempitsky, ICML 2015; Ganin et al., JMLR 2016, §3.2).

Forward it is the identity; backward it multiplies the incoming gradient by −λ:

    R_λ(x) = x,        ∂R_λ/∂x = −λ I.

Placed between a feature extractor and a domain classifier, one backward pass trains the
classifier to separate the domains and the extractor to confuse it.
"""

from __future__ import annotations

import torch
from torch import nn


class _ReverseGradient(torch.autograd.Function):
    @staticmethod
    def forward(ctx, inputs: torch.Tensor, coefficient: float) -> torch.Tensor:
        ctx.coefficient = coefficient
        return inputs.view_as(inputs)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> tuple[torch.Tensor, None]:
        return -ctx.coefficient * grad_output, None


def reverse_gradient(inputs: torch.Tensor, coefficient: float = 1.0) -> torch.Tensor:
    """Identity whose gradient is scaled by ``-coefficient``."""
    return _ReverseGradient.apply(inputs, coefficient)


class GradientReversal(nn.Module):
    """Module form of :func:`reverse_gradient`; set ``coefficient`` to follow a schedule."""

    def __init__(self, coefficient: float = 1.0) -> None:
        super().__init__()
        self.coefficient = coefficient

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return reverse_gradient(inputs, self.coefficient)
