"""The zero-shot methods' base: a network trained on the seen classes that scores every class
through the class descriptions (``data/zero_shot.py``). It registers no method.

The task's descriptions (one attribute vector per class) and its seen classes are copied into
buffers in :meth:`ZeroShotMethod.before_fit`, so a restored run predicts as it was trained.
The classifier has a head ``attributes`` with one output per attribute (``build_model`` adds it
for a zero-shot task); :meth:`predict` returns one score per class, of seen and unseen classes
alike, and the evaluation picks among the candidates of each test (``Task.candidates``).
"""

from __future__ import annotations

import torch

from transferbench.data.task import Task
from transferbench.data.zero_shot import ATTRIBUTES
from transferbench.errors import UserError
from transferbench.methods.base import Method
from transferbench.models import Classifier


class ZeroShotMethod(Method):
    def __init__(self, model: Classifier) -> None:
        super().__init__(model)
        if ATTRIBUTES not in model.heads:
            raise UserError(
                "a zero-shot method needs a zero-shot task (dataset.zero_shot with class descriptions), "
                "e.g. dataset=mnist_zero_shot"
            )
        classes, attributes = model.head.out_features, model.heads[ATTRIBUTES].out_features
        self.register_buffer("descriptions", torch.zeros(classes, attributes))
        self.register_buffer("seen", torch.zeros(classes, dtype=torch.bool))

    def before_fit(self, task: Task) -> None:
        self.descriptions.copy_(task.descriptions)
        self.seen.zero_()
        self.seen[list(task.candidates["source"])] = True

    def signed_descriptions(self) -> torch.Tensor:
        """The descriptions as ±1 vectors (attribute present / absent), the class embeddings g(y)."""
        return 2 * self.descriptions - 1
