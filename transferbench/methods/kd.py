"""Knowledge distillation (Hinton, Vinyals & Dean, NIPS Deep Learning Workshop 2015).

    L = (1 − α) · CE(y, q) + α · T² · KL(p_T ‖ q_T),

with p_T and q_T the teacher's and the student's softmax at temperature T, the KL term on the
transfer set (the labelled and the unlabelled training images by default). The paper's MNIST
student distilled at T = 20; α = 0.9 and T = 4 are common defaults for images.
"""

from __future__ import annotations

from transferbench.methods.registry import METHODS
from transferbench.methods.teacher import StudentMethod, TransferSet
from transferbench.models import Classifier


@METHODS.register("kd")
class KnowledgeDistillation(StudentMethod):
    def __init__(
        self, model: Classifier, teacher: str, alpha: float = 0.9, temperature: float = 4.0,
        transfer_set: TransferSet = "all",
    ) -> None:
        super().__init__(model, teacher, alpha, temperature, transfer_set)
