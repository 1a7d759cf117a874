"""Source only: supervised training on the source domain, evaluated on the target.

The lower bound every adaptation method is compared with ("source only" in DANN, JMLR 2016).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from transferbench.methods.base import Batch, Method
from transferbench.methods.registry import METHODS


@METHODS.register("source_only")
class SourceOnly(Method):
    def losses(self, source: Batch, target: Batch, progress: float) -> dict[str, torch.Tensor]:
        return {"classification": F.cross_entropy(self.model(source.inputs).logits, source.labels)}
