"""Multi-task learning with hard parameter sharing (Caruana, Machine Learning 1997): one shared
network, one head per task, trained on the sum of the tasks' losses.

The tasks are the run's own (``main``: the task's labelled source batches and its head) and every
related task its YAML declares (``dataset.related``: ``angle`` of ``rotated_mnist``), each with a
head of its own (``ModelOutput.heads``) and a labelled batch of its own per step. A classification
task's loss is the cross-entropy, a regression task's (float labels) the mean squared error. The
weights are fixed (``weights``, 1 by default: the unweighted sum), or learned from each task's
homoscedastic uncertainty (``weighting: uncertainty``, Kendall, Gal & Cipolla, CVPR 2018,
``losses/uncertainty.py``):

    fixed:        L = Σ_i w_i L_i
    uncertainty:  L = Σ_i c_i exp(−s_i) L_i + ½ s_i,    c_i = ½ (regression) or 1 (classification).
"""

from __future__ import annotations

from typing import Mapping

import torch
import torch.nn.functional as F

from transferbench.errors import UserError
from transferbench.losses.uncertainty import UncertaintyWeighting
from transferbench.methods.base import Batch, Method
from transferbench.methods.registry import METHODS
from transferbench.models import Classifier

#: The name of the run's own task among the weights.
MAIN = "main"
WEIGHTINGS = ("fixed", "uncertainty")


@METHODS.register("multitask")
class MultiTask(Method):
    def __init__(
        self, model: Classifier, weighting: str = "fixed", weights: Mapping[str, float] | None = None
    ) -> None:
        super().__init__(model)
        self.trains_on = tuple(model.heads)
        if not self.trains_on:
            raise UserError(
                "method=multitask needs a task with related tasks (dataset.related), e.g. dataset=rotated_mnist"
            )
        if weighting not in WEIGHTINGS:
            raise UserError(f"method.weighting={weighting} is not one of: {', '.join(WEIGHTINGS)}")
        tasks = (MAIN, *self.trains_on)
        self.weights = fixed_weights(tasks, dict(weights or {}))
        if weighting == "uncertainty" and weights:
            raise UserError("method.weights are fixed weights; drop them or set method.weighting=fixed")
        self.uncertainty = UncertaintyWeighting(tasks) if weighting == "uncertainty" else None

    def losses(
        self, source: Batch, target: Batch, progress: float, related: dict[str, Batch]
    ) -> dict[str, torch.Tensor]:
        terms = {}
        for name, batch in {MAIN: source, **related}.items():
            if self.uncertainty is None and self.weights[name] == 0:
                continue
            outputs = self.model(batch.inputs)
            loss = task_loss(outputs.logits if name == MAIN else outputs.heads[name], batch.labels)
            if self.uncertainty is None:
                terms[name] = self.weights[name] * loss
            else:
                terms[name] = self.uncertainty(name, loss, regression=batch.labels.is_floating_point())
        return terms


def task_loss(outputs: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Cross-entropy for class labels, mean squared error for float (regression) labels."""
    if labels.is_floating_point():
        return F.mse_loss(outputs.view_as(labels), labels)
    return F.cross_entropy(outputs, labels)


def fixed_weights(tasks: tuple[str, ...], weights: dict[str, float]) -> dict[str, float]:
    """Every task's weight: 1 unless ``weights`` names it; an unknown name is one line."""
    for name, weight in weights.items():
        if name not in tasks:
            raise UserError(f"method.weights.{name}: no such task; the tasks are {', '.join(tasks)}")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
            raise UserError(f"method.weights.{name} must be a non-negative number, got {weight!r}")
    return {name: float(weights.get(name, 1.0)) for name in tasks}
