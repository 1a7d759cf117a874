"""Convex combination of semantic embeddings, ConSE (Norouzi et al., ICLR 2014). A classifier is
trained on the seen classes only (cross-entropy over the seen classes' logits); a test image is
embedded as the convex combination of the descriptions of its T most probable seen classes,

    e(x) = (1/Z) Σ_{t=1..T} p(y_t | x) · g(y_t),    Z = Σ_t p(y_t | x),

with g the ±1 descriptions, and scored against every class by the cosine cos(e(x), g(c)). The paper
takes T = 10 of ImageNet's 1,000 seen classes; ``top`` is capped at the number of seen classes.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from transferbench.errors import UserError
from transferbench.methods.base import Batch
from transferbench.methods.registry import METHODS
from transferbench.methods.zero_shot import ZeroShotMethod
from transferbench.models import Classifier


@METHODS.register("conse")
class ConSE(ZeroShotMethod):
    def __init__(self, model: Classifier, top: int = 10) -> None:
        super().__init__(model)
        if top < 1:
            raise UserError(f"method.top={top} must be at least 1 (the seen classes combined)")
        self.top = top

    def seen_logits(self, inputs: torch.Tensor) -> torch.Tensor:
        """The classifier's logits with every unseen class masked out."""
        logits = self.model(inputs).logits
        return logits.masked_fill(~self.seen[None, :], float("-inf"))

    def losses(self, source: Batch, target: Batch, progress: float) -> dict[str, torch.Tensor]:
        return {"classification": F.cross_entropy(self.seen_logits(source.inputs), source.labels)}

    @torch.no_grad()
    def predict(self, inputs: torch.Tensor) -> torch.Tensor:
        probabilities = self.seen_logits(inputs).softmax(dim=1)
        top = probabilities.topk(min(self.top, int(self.seen.sum())), dim=1)
        weights = torch.zeros_like(probabilities).scatter_(1, top.indices, top.values)
        classes = self.signed_descriptions()
        embedded = weights @ classes / weights.sum(dim=1, keepdim=True)
        return F.normalize(embedded, dim=1) @ F.normalize(classes, dim=1).T
