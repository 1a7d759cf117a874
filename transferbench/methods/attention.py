"""Attention transfer, AT (Zagoruyko & Komodakis, "Paying More Attention to Attention", ICLR 2017).

    L = (1 − α) · CE(y, q) + α · T² · KL(p_T ‖ q_T) + β/2 · Σ_j mean ‖Q_S^j/‖Q_S^j‖ − Q_T^j/‖Q_T^j‖‖²,

with Q^j = Σ_c |A_c^j|^p the attention map of the j-th pair of student and teacher layers
(``losses/attention.py``). α = 0 is AT alone, α > 0 is AT + KD as in the paper's Table 1. Pairs
are named by ``layers`` (and ``teacher_layers`` when the teacher's names differ); the two layers of
a pair must have the same height and width, their channel counts may differ. β = 10³ and p = 2
are the paper's.
"""

from __future__ import annotations

from typing import Sequence

import torch

from transferbench.losses import attention_transfer_loss
from transferbench.methods.registry import METHODS
from transferbench.methods.teacher import LayerPairs, StudentMethod, TransferSet
from transferbench.models import Classifier, ModelOutput


@METHODS.register("attention")
class AttentionTransfer(StudentMethod):
    def __init__(
        self, model: Classifier, teacher: str, layers: Sequence[str] = ("conv1", "conv2", "conv3"),
        teacher_layers: Sequence[str] | None = None, beta: float = 1000.0, power: float = 2.0,
        alpha: float = 0.0, temperature: float = 4.0, transfer_set: TransferSet = "all",
    ) -> None:
        super().__init__(model, teacher, alpha, temperature, transfer_set)
        self.pairs = LayerPairs(model, self.teacher, layers, teacher_layers, same="spatial")
        self.beta, self.power = beta, power

    def transfer(
        self, inputs: torch.Tensor, student: ModelOutput, teacher: ModelOutput
    ) -> dict[str, torch.Tensor]:
        mine, theirs = self.pairs.outputs(student, teacher)
        return {"attention": self.beta / 2 * attention_transfer_loss(mine, theirs, self.power)}
