"""AutoDIAL: automatic domain alignment layers (Carlucci et al., ICCV 2017, §3).

    L = CE(source) + λ · (1/|T|) Σ_{x∈T} H(softmax(h(x)))

trained through domain alignment layers (``models/dial.py``): every BatchNorm of the model
becomes a DA-layer, and an identity bottleneck becomes one too, so that even a network without
BatchNorm (the moons MLP) normalises its features before the head. Each DA-layer normalises the
source with the statistics of α q_s + (1 − α) q_t and the target with α q_t + (1 − α) q_s,
learning its α with the rest of the network (projected onto [0.5, 1] before every use); the
target entropy loss lets the unlabelled target data shape the classifier.
"""

from __future__ import annotations

from typing import Callable, Iterator

import torch
from torch import nn

from transferbench.data.domain import Split
from transferbench.losses import mean_entropy
from transferbench.methods.alignment import AlignmentMethod
from transferbench.methods.base import Batch
from transferbench.methods.registry import METHODS
from transferbench.models import Classifier
from transferbench.models.classifier import ModelOutput
from transferbench.models.dial import DomainAlignment, convert_batch_norms


@METHODS.register("autodial")
class AutoDIAL(AlignmentMethod):
    term = "entropy"

    def __init__(self, model: Classifier, trade_off: float = 0.1, alpha: float = 1.0) -> None:
        convert_batch_norms(model, alpha)
        if isinstance(model.bottleneck, nn.Identity):
            model.bottleneck = DomainAlignment(model.features_dim, alpha=alpha)
        super().__init__(model, trade_off)

    def alignment_layers(self) -> Iterator[DomainAlignment]:
        """The model's DA-layers."""
        return (module for module in self.model.modules() if isinstance(module, DomainAlignment))

    def before_eval(
        self, domain: str, train: Split, prepare: Callable[[torch.Tensor], torch.Tensor]
    ) -> None:
        """Evaluate ``domain`` with its own side of every DA-layer's statistics."""
        for layer in self.alignment_layers():
            layer.eval_domain = domain

    def forward_domains(self, source: Batch, target: Batch) -> tuple[ModelOutput, ModelOutput]:
        for layer in self.alignment_layers():
            layer.source_count = len(source.inputs)
        return super().forward_domains(source, target)

    def alignment(self, source: ModelOutput, target: ModelOutput, progress: float) -> torch.Tensor:
        return mean_entropy(target.logits)
