"""Learning without Forgetting (Li & Hoiem, ECCV 2016; TPAMI 2018, §3).

The original network's old-task outputs y_o on the new task's images are the old task's targets
while θs, θo and θn are trained together (after the warm-up, ``methods/continual.py``):

    L = CE(y_n, ŷ_n) + λ_o · KL(softmax(y_o / T) ‖ softmax(ŷ_o / T)),    T = 2, λ_o = 1,

with ŷ_o the current network's old-head logits. The paper's soft cross-entropy −Σ y'_o log ŷ'_o
differs from this KL by the targets' entropy, a constant: the gradients are the same. The paper
records y_o once before training; here the frozen original network (``self.original``) gives them
on each batch, the same numbers for the same images, on the augmented images when the task
augments.
"""

from __future__ import annotations

import torch

from transferbench.errors import UserError
from transferbench.losses import softened_divergence
from transferbench.methods.base import Batch
from transferbench.methods.continual import OLD, ContinualMethod
from transferbench.methods.registry import METHODS
from transferbench.models import Classifier
from transferbench.models.classifier import ModelOutput


@METHODS.register("lwf")
class LearningWithoutForgetting(ContinualMethod):
    old_head_trained = True

    def __init__(
        self, model: Classifier, old: str, trade_off: float = 1.0, temperature: float = 2.0,
        warmup: float = 0.0,
    ) -> None:
        if temperature <= 0:
            raise UserError(f"method.temperature={temperature} must be positive")
        super().__init__(model, old, warmup)
        self.trade_off, self.temperature = trade_off, temperature

    def old_task_terms(self, source: Batch, outputs: ModelOutput) -> dict[str, torch.Tensor]:
        recorded = self.original(source.inputs).logits
        divergence = softened_divergence(outputs.heads[OLD], recorded, self.temperature)
        return {"old_task": self.trade_off * divergence}
