"""Jacobian matching (Srinivas & Fleuret, "Knowledge Transfer with Jacobian Matching", ICML 2018).

    L = CE(y, q) + λ_a · Σ_j mean ‖r_j(A_S^j) − A_T^j‖² + λ_J · ‖J_S/‖J_S‖₂ − J_T/‖J_T‖₂‖²,

with J = ∇ₓ f_k(x) the input gradient of the output of the teacher's top class k, taken by
double back-propagation for the student (``losses/jacobian.py``), and the activation term over
``layers`` (the logits by default, the paper's output matching; a regressor where widths
differ, as FitNets). ``activation_weight`` and ``jacobian_weight`` select the paper's arms: CE +
act (λ_J = 0), CE + Jac (λ_a = 0), CE + act + Jac. The YAML's λ_a = 0.1 and λ_J = 1 are not tuned
on test data; λ_a = 1 made the logits' squared error dwarf the cross-entropy of a few-shot batch
and killed plain ReLU students (docs/results/knowledge_transfer.md). The paper's
few-shot experiment trains on the labelled examples only: ``transfer_set: labelled``. ``alpha``
adds distillation as in the other students (0 by default).
"""

from __future__ import annotations

from typing import Sequence

import torch

from transferbench.errors import UserError
from transferbench.losses import activation_transfer_loss, input_gradient, jacobian_matching_loss
from transferbench.methods.registry import METHODS
from transferbench.methods.teacher import LayerPairs, StudentMethod, TransferSet
from transferbench.models import Classifier, ModelOutput


@METHODS.register("jacobian")
class JacobianMatching(StudentMethod):
    def __init__(
        self, model: Classifier, teacher: str, activation_weight: float = 0.1,
        jacobian_weight: float = 1.0, layers: Sequence[str] = ("logits",),
        teacher_layers: Sequence[str] | None = None, alpha: float = 0.0, temperature: float = 4.0,
        transfer_set: TransferSet = "labelled",
    ) -> None:
        super().__init__(model, teacher, alpha, temperature, transfer_set)
        if activation_weight < 0 or jacobian_weight < 0:
            raise UserError("method.activation_weight and method.jacobian_weight must be ≥ 0")
        self.pairs = LayerPairs(model, self.teacher, layers, teacher_layers, same="shape", regress=True)
        self.activation_weight, self.jacobian_weight = activation_weight, jacobian_weight
        self.needs_input_gradients = jacobian_weight > 0

    def transfer(
        self, inputs: torch.Tensor, student: ModelOutput, teacher: ModelOutput
    ) -> dict[str, torch.Tensor]:
        terms = {}
        if self.activation_weight > 0:
            mine, theirs = self.pairs.outputs(student, teacher)
            theirs = [output.detach() for output in theirs]
            terms["activation"] = self.activation_weight * activation_transfer_loss(mine, theirs)
        if self.jacobian_weight > 0:
            top = teacher.logits.argmax(dim=1, keepdim=True)
            theirs = input_gradient(teacher.logits.gather(1, top), inputs, create_graph=False)
            mine = input_gradient(student.logits.gather(1, top), inputs, create_graph=True)
            terms["jacobian"] = self.jacobian_weight * jacobian_matching_loss(mine, theirs)
        return terms
