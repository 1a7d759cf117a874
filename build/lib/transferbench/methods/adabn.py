"""AdaBN: adaptive batch normalisation (Li et al., arXiv:1603.04779, 2016, Algorithm 1).

Training is source only. Before each domain is evaluated every BatchNorm layer's statistics are
re-estimated on that domain's training split, e.g. μ_j ← E_{x∈T}[x_j], σ²_j ← Var_{x∈T}[x_j] for
the target, and the network then predicts the domain with them; no gradient step sees the
target. The engine evaluates the source first, so the target's statistics are the ones kept
(and checkpointed) after each evaluation.

The estimate is PyTorch's cumulative average (momentum None) of the batch moments over the
target split in nearly equal batches of at most ``batch_size``: the mean is exact and the
variance the average within-batch variance. Only the BatchNorm layers run in training mode, so
dropout stays off as at test time. The engine passes the raw split together with ``prepare``,
the evaluation input pipeline (crop, normalisation), so the statistics match what is evaluated.
"""

from __future__ import annotations

import logging
import math
from typing import Callable

import torch
from torch.nn.modules.batchnorm import _BatchNorm

from transferbench.data.domain import Split
from transferbench.methods.registry import METHODS
from transferbench.methods.source_only import SourceOnly
from transferbench.models import Classifier

log = logging.getLogger(__name__)


@METHODS.register("adabn")
class AdaBN(SourceOnly):
    def __init__(self, model: Classifier, batch_size: int = 1000) -> None:
        super().__init__(model)
        self.batch_size = batch_size
        if not self.batch_norms():
            log.warning(
                "adabn: the network has no BatchNorm layers, so there is nothing to re-estimate and "
                "this run is source_only; use a backbone with BatchNorm (e.g. resnet50)"
            )

    def batch_norms(self) -> list[_BatchNorm]:
        return [module for module in self.model.modules() if isinstance(module, _BatchNorm)]

    @torch.no_grad()
    def before_eval(
        self, domain: str, train: Split, prepare: Callable[[torch.Tensor], torch.Tensor]
    ) -> None:
        layers = self.batch_norms()
        if not layers:
            return
        was_training, momenta = self.model.training, [layer.momentum for layer in layers]
        self.model.eval()
        for layer in layers:
            layer.reset_running_stats()
            layer.momentum = None
            layer.train()
        batches = math.ceil(len(train) / self.batch_size)
        for inputs in torch.tensor_split(train.inputs, batches):
            self.model(prepare(inputs))
        for layer, momentum in zip(layers, momenta):
            layer.momentum = momentum
        self.model.train(was_training)

