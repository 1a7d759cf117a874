"""A joint embedding of images and class descriptions (Frome et al., "DeViSE", NIPS 2013; Akata et
al., "Label-Embedding for Attribute-Based Classification", CVPR 2013). The network maps an image to
f(x) (the ``attributes`` head) and a class to g(y): its ±1 description, or, with ``learned_g``, a
learned linear map of it. Trained on the seen classes with the margin loss

    L = mean_n max(0, k − f(xⁿ)·g(yⁿ) + max_{m ≠ yⁿ, m seen} f(xⁿ)·g(m)),

or, with ``loss: distance``, the plain regression L = mean_n ‖f(xⁿ) − g(yⁿ)‖², which a learned g
can satisfy by mapping every class and image to one point (the collapse ``distance_embedding``
shows). A test image goes to the class of highest f(x)·g(c) (hinge) or nearest g(c) (distance).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from transferbench.data.zero_shot import ATTRIBUTES
from transferbench.errors import UserError
from transferbench.methods.base import Batch
from transferbench.methods.registry import METHODS
from transferbench.methods.zero_shot import ZeroShotMethod
from transferbench.models import Classifier

LOSSES = ("hinge", "distance")


@METHODS.register("hinge_embedding")
class JointEmbedding(ZeroShotMethod):
    def __init__(self, model: Classifier, loss: str = "hinge", margin: float = 1.0, learned_g: bool = False) -> None:
        super().__init__(model)
        if loss not in LOSSES:
            raise UserError(f"method.loss={loss} is not one of: {', '.join(LOSSES)}")
        attributes = model.heads[ATTRIBUTES].out_features
        self.loss, self.margin = loss, margin
        self.g = nn.Linear(attributes, attributes) if learned_g else None

    def class_embeddings(self) -> torch.Tensor:
        """g(c) for every class, ``(classes, attributes)``."""
        signed = self.signed_descriptions()
        return signed if self.g is None else self.g(signed)

    def losses(self, source: Batch, target: Batch, progress: float) -> dict[str, torch.Tensor]:
        embedded, classes = self.model(source.inputs).heads[ATTRIBUTES], self.class_embeddings()
        if self.loss == "distance":
            return {"distance": (embedded - classes[source.labels]).pow(2).sum(dim=1).mean()}
        return {"hinge": hinge_loss(embedded @ classes.T, source.labels, self.seen, self.margin)}

    @torch.no_grad()
    def predict(self, inputs: torch.Tensor) -> torch.Tensor:
        embedded, classes = self.model(inputs).heads[ATTRIBUTES], self.class_embeddings()
        return embedded @ classes.T if self.loss == "hinge" else -torch.cdist(embedded, classes)


def hinge_loss(scores: torch.Tensor, labels: torch.Tensor, allowed: torch.Tensor, margin: float) -> torch.Tensor:
    """mean_n max(0, margin − s[n, yⁿ] + max_{m ≠ yⁿ, allowed} s[n, m]) for scores ``(N, classes)``."""
    correct = scores.gather(1, labels[:, None]).squeeze(1)
    others = scores.masked_fill(~allowed[None, :] | F.one_hot(labels, scores.shape[1]).bool(), float("-inf"))
    return F.relu(margin - correct + others.max(dim=1).values).mean()
