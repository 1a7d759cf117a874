"""Less-forgetting learning (Jung, Ju, Jung & Kim, arXiv:1607.00122, 2016), as LwF compares it.

The old head θo stays fixed and the shared representation is kept close to the original
network's on the new task's images:

    L = CE(y_n, ŷ_n) + λ_e · ½ ‖f(x) − f_o(x)‖²,

with f the features the heads read (the penultimate layer), f_o the frozen original network's,
the squared distance summed over units and averaged over the batch (after the warm-up,
``methods/continual.py``).
"""

from __future__ import annotations

import torch

from transferbench.methods.base import Batch
from transferbench.methods.continual import ContinualMethod
from transferbench.methods.registry import METHODS
from transferbench.models import Classifier
from transferbench.models.classifier import ModelOutput


@METHODS.register("lfl")
class LessForgettingLearning(ContinualMethod):
    def __init__(self, model: Classifier, old: str, trade_off: float = 1.0, warmup: float = 0.0) -> None:
        super().__init__(model, old, warmup)
        self.trade_off = trade_off

    def old_task_terms(self, source: Batch, outputs: ModelOutput) -> dict[str, torch.Tensor]:
        original = self.original(source.inputs).features
        distance = 0.5 * (outputs.features - original).pow(2).sum(dim=1).mean()
        return {"features": self.trade_off * distance}
