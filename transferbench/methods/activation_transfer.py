"""Full-activation transfer, F-ActT (Zagoruyko & Komodakis, ICLR 2017, §4.1's baseline), and
FitNets' hints (Romero et al., "FitNets: Hints for Thin Deep Nets", ICLR 2015).

    L = (1 − α) · CE(y, q) + α · T² · KL(p_T ‖ q_T) + β/2 · Σ_j mean ‖r_j(A_S^j) − A_T^j‖²,

over pairs j of student and teacher layers of the same spatial size. r_j is the identity where
the two outputs have the same shape (F-ActT) and, with ``regressor: true``, FitNets' learned
regressor where the widths differ (a 1×1 convolution for feature maps, a linear map for
vectors), trained jointly with the student here rather than in FitNets' separate hint stage.
β = 1 is not tuned.
"""

from __future__ import annotations

from typing import Sequence

import torch

from transferbench.losses import activation_transfer_loss
from transferbench.methods.registry import METHODS
from transferbench.methods.teacher import LayerPairs, StudentMethod, TransferSet
from transferbench.models import Classifier, ModelOutput


@METHODS.register("activation_transfer")
class ActivationTransfer(StudentMethod):
    def __init__(
        self, model: Classifier, teacher: str, layers: Sequence[str] = ("conv1", "conv2", "conv3"),
        teacher_layers: Sequence[str] | None = None, beta: float = 1.0, regressor: bool = True,
        alpha: float = 0.0, temperature: float = 4.0, transfer_set: TransferSet = "all",
    ) -> None:
        super().__init__(model, teacher, alpha, temperature, transfer_set)
        self.pairs = LayerPairs(model, self.teacher, layers, teacher_layers, same="shape", regress=regressor)
        self.beta = beta

    def transfer(
        self, inputs: torch.Tensor, student: ModelOutput, teacher: ModelOutput
    ) -> dict[str, torch.Tensor]:
        mine, theirs = self.pairs.outputs(student, teacher)
        return {"activation": self.beta / 2 * activation_transfer_loss(mine, theirs)}
