"""Joint training of the old and the new task (LwF's upper bound: Li & Hoiem, ECCV 2016, §2;
Caruana, Machine Learning 1997): the old task's labelled images are available, so θs, θo and θn
are trained on both tasks' cross-entropies, a batch of each per step (after the warm-up,
``methods/continual.py``):

    L = CE(y_n, ŷ_n) + λ · CE(y_o, ŷ_o(x_o)).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from transferbench.methods.base import Batch
from transferbench.methods.continual import OLD, ContinualMethod
from transferbench.methods.registry import METHODS
from transferbench.models import Classifier


@METHODS.register("joint")
class JointTraining(ContinualMethod):
    old_head_trained = True
    trains_on = (OLD,)

    def __init__(self, model: Classifier, old: str, trade_off: float = 1.0, warmup: float = 0.0) -> None:
        super().__init__(model, old, warmup)
        self.trade_off = trade_off

    def losses(
        self, source: Batch, target: Batch, progress: float, related: dict[str, Batch]
    ) -> dict[str, torch.Tensor]:
        terms = super().losses(source, target, progress)
        if not self.warming_up(progress):
            old = related[OLD]
            terms["old_task"] = self.trade_off * F.cross_entropy(self.model(old.inputs).heads[OLD], old.labels)
        return terms
