"""Jacobian matching (Srinivas & Fleuret, "Knowledge Transfer with Jacobian Matching", ICML 2018).

For one output f of each network (the teacher's top class, one scalar per example), the input
gradients J = ∇ₓ f(x) are matched after L2 normalisation:

    ℓ_J = ‖ J_S / ‖J_S‖₂ − J_T / ‖J_T‖₂ ‖²₂,

averaged over the batch. The student's gradient is taken with ``create_graph=True`` so that ℓ_J
itself can be minimised (double back-propagation, Drucker & Le Cun 1992); the paper shows that
matching Jacobians is equivalent to distillation with input noise (§4).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def input_gradient(output: torch.Tensor, inputs: torch.Tensor, create_graph: bool) -> torch.Tensor:
    """∇ₓ of each example's scalar ``output`` w.r.t. its own input, from one backward pass of the
    sum: exact when the network treats rows independently (no BatchNorm in training mode)."""
    (gradient,) = torch.autograd.grad(output.sum(), inputs, create_graph=create_graph)
    return gradient


def jacobian_matching_loss(student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of ‖J_S/‖J_S‖₂ − J_T/‖J_T‖₂‖²₂ for per-example input gradients."""
    difference = F.normalize(student.flatten(1), dim=1) - F.normalize(teacher.flatten(1), dim=1)
    return difference.pow(2).sum(dim=1).mean()
