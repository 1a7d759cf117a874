"""Building blocks of the methods that add one alignment term to the source classification loss.

Most unsupervised domain-adaptation objectives have the form

    L = E_{(x, y)∼S}[CE(h(x), y)] + λ · d(S, T),

with d a discrepancy (MMD, CORAL), an adversarial domain loss (DANN, CDAN) or an unsupervised
target loss (entropy). :class:`AlignmentMethod` runs the joint forward pass and the source
cross-entropy; a method defines only d. With ``progressive`` the weight rises from 0 to λ by
DANN's schedule λ_p = 2 / (1 + exp(−10 p)) − 1, as JAN does "to suppress noisy activations at
the early stages of training" (Long et al., ICML 2017, §4): a discrepancy such as MMD is
otherwise free to pull the untrained features of both domains onto one point, and ReLU
features that collapse there stay dead. This module registers no method.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Callable, Sequence

import torch
import torch.nn.functional as F

from transferbench.methods.base import Batch, Method
from transferbench.models.classifier import Classifier, ModelOutput
from transferbench.schedules import adaptation_factor

Discrepancy = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def rows(output: ModelOutput, layer: str) -> torch.Tensor:
    """A named layer's output with one flattened row per example."""
    return output.blocks[layer].flatten(1)


def checked_layers(model: Classifier, layers: Sequence[str]) -> list[str]:
    """``layers`` as a list; an unknown name is a UserError that lists the model's layers."""
    for layer in layers:
        model.layer_width(layer)
    return list(layers)


class AlignmentMethod(Method):
    """Source cross-entropy plus ``trade_off`` × :meth:`alignment`, logged under ``term``."""

    term = "alignment"

    def __init__(self, model: Classifier, trade_off: float, progressive: bool = False) -> None:
        super().__init__(model)
        self.trade_off, self.progressive = trade_off, progressive

    def weight(self, progress: float) -> float:
        """λ, or λ · λ_p while the progressive schedule rises."""
        return self.trade_off * (adaptation_factor(progress) if self.progressive else 1.0)

    @abstractmethod
    def alignment(
        self, source: ModelOutput, target: ModelOutput, progress: float
    ) -> torch.Tensor:
        """The unweighted alignment term d(S, T) of one step."""

    def losses(self, source: Batch, target: Batch, progress: float) -> dict[str, torch.Tensor]:
        source_output, target_output = self.forward_domains(source, target)
        return {
            "classification": F.cross_entropy(source_output.logits, source.labels),
            self.term: self.weight(progress) * self.alignment(source_output, target_output, progress),
        }


class LayerAlignment(AlignmentMethod):
    """d(S, T) = Σ_ℓ D(S_ℓ, T_ℓ): one discrepancy summed over named layers (DDC, DAN, CORAL)."""

    def __init__(
        self, model: Classifier, trade_off: float, layers: Sequence[str], discrepancy: Discrepancy,
        progressive: bool = False,
    ) -> None:
        super().__init__(model, trade_off, progressive)
        self.layers = checked_layers(model, layers)
        self.discrepancy = discrepancy

    def alignment(
        self, source: ModelOutput, target: ModelOutput, progress: float
    ) -> torch.Tensor:
        pairs = [(rows(source, layer), rows(target, layer)) for layer in self.layers]
        return torch.stack([self.discrepancy(*pair) for pair in pairs]).sum()
