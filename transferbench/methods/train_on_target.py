"""Train on target: supervised training on the labelled target training split, the upper bound.

The last row of the DANN paper's tables ("train on target", Ganin & Lempitsky, ICML 2015, Table 1;
Ganin et al., JMLR 2016, Table 2): the same network and protocol as every other row, trained with
cross-entropy on the target's own labels, evaluated on the target test split. It is not an
adaptation method, and the only one the engine hands target labels to
(``Method.uses_target_labels``); with source-only it spans "% of gap closed"
(``scripts/make_table.py --gap-closed``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from transferbench.data.task import Task
from transferbench.errors import UserError
from transferbench.methods.base import Batch, Method
from transferbench.methods.registry import METHODS


@METHODS.register("train_on_target")
class TrainOnTarget(Method):
    uses_target_labels = True

    def before_fit(self, task: Task) -> None:
        """Refuse a task whose target test split is its training split (Office-31's protocol):
        there the number would be training accuracy, not an upper bound."""
        train, test = task.target.train.inputs, task.target.test.inputs
        if train.shape == test.shape and torch.equal(train, test):
            raise UserError(
                f"method=train_on_target on {task.name}: the target's test images are its training "
                "images, so its accuracy would be training accuracy; use a task with a target test split"
            )

    def losses(self, source: Batch, target: Batch, progress: float) -> dict[str, torch.Tensor]:
        return {"classification": F.cross_entropy(self.model(target.inputs).logits, target.labels)}
