"""Domain confusion and soft-label transfer (Tzeng et al., ICCV 2015, §3.1-3.2).

A domain classifier D with parameters θ_D and the representation f with parameters θ_repr play

    min_{θ_D}    L_D    = −Σ_d 1[y_D = d] log q_d,                    q = softmax(D(f(x)))
    min_{θ_repr} L_conf = −Σ_d (1/|D|) log q_d,

i.e. D learns to tell the domains apart and f to make D's output uniform. The paper alternates
the two updates; here one backward pass serves both through detaching: L_D (DANN's domain loss)
reads f(x).detach(), so its gradient reaches θ_D only, and L_conf reads D with detached
parameters (``torch.func.functional_call``), so its gradient reaches θ_repr only. With the binary
discriminator used here, q = (σ(z), 1 − σ(z)) and L_conf is minimal, at log 2, when z = 0.

Soft labels transfer the classes' similarity structure: l⁽ʸ⁾ is the average over source
examples of class y of softmax(h(x) / τ), here a running average over source batches, and the
k labelled target examples per class (``target_labels_per_class``) are trained towards it with
L_soft = −Σ_i l⁽ʸ⁾_i log softmax(h(x_t) / τ)_i. The engine draws target batches without labels,
so that term needs the labelled subset handed over by :meth:`DomainConfusion.use_target_labels`;
with k = 0 (the default, unsupervised adaptation) the method is domain confusion alone.

    L = CE(source) + L_D + λ L_conf + ν L_soft
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call

from transferbench.data.domain import Split
from transferbench.data.task import Task
from transferbench.errors import UserError
from transferbench.losses import DomainAdversarialLoss
from transferbench.methods.alignment import rows
from transferbench.methods.base import Batch, Method
from transferbench.methods.registry import METHODS
from transferbench.models import Classifier, DomainDiscriminator
from transferbench.models.classifier import ModelOutput


@METHODS.register("domain_confusion")
class DomainConfusion(Method):
    soft_labels: torch.Tensor

    def __init__(
        self, model: Classifier, confusion_weight: float = 0.01, soft_label_weight: float = 0.1,
        temperature: float = 2.0, target_labels_per_class: int = 0,
        soft_label_momentum: float = 0.9, layer: str = "features",
        discriminator: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(model)
        self.confusion_weight, self.soft_label_weight = confusion_weight, soft_label_weight
        self.temperature, self.momentum, self.layer = temperature, soft_label_momentum, layer
        self.per_class = target_labels_per_class
        self.domain = DomainAdversarialLoss(
            DomainDiscriminator(model.layer_width(layer), **dict(discriminator or {}))
        )
        classes = model.layer_width("logits")
        self.register_buffer("soft_labels", torch.full((classes, classes), 1 / classes))
        self.labelled_target: Batch | None = None

    def before_fit(self, task: Task) -> None:
        if self.per_class:
            self.use_target_labels(task.target.train, task.eval_inputs)

    def use_target_labels(
        self, target_train: Split, normalize: Callable[[torch.Tensor], torch.Tensor]
    ) -> None:
        """Keep the first ``target_labels_per_class`` examples of each class for L_soft."""
        labels = target_train.labels
        chosen = torch.cat(
            [(labels == label).nonzero().flatten()[: self.per_class] for label in labels.unique()]
        )
        self.labelled_target = Batch(normalize(target_train.inputs[chosen]), labels[chosen])

    def losses(self, source: Batch, target: Batch, progress: float) -> dict[str, torch.Tensor]:
        labelled = self._labelled_target()
        if labelled is not None:
            target = Batch(torch.cat([target.inputs, labelled.inputs]))
        source_output, target_output = self.forward_domains(source, target)
        source_rows, target_rows = rows(source_output, self.layer), rows(target_output, self.layer)
        confused = frozen(self.domain.discriminator)(torch.cat([source_rows, target_rows]))
        terms = {
            "classification": F.cross_entropy(source_output.logits, source.labels),
            # Detached features: no reversal to apply, only θ_D learns from L_D.
            "domain": self.domain(source_rows.detach(), target_rows.detach(), coefficient=0.0),
            "confusion": self.confusion_weight * confusion_loss(confused),
        }
        if labelled is not None:
            terms["soft_label"] = self.soft_label_weight * self._soft_label_term(
                source_output, source, target_output, labelled
            )
        return terms

    def _soft_label_term(
        self, source_output: ModelOutput, source: Batch, target_output: ModelOutput, labelled: Batch
    ) -> torch.Tensor:
        """Update the soft labels from the source batch; L_soft on the labelled target rows."""
        self._update_soft_labels(source_output.logits, source.labels)
        logits = target_output.logits[len(target_output.logits) - len(labelled.inputs) :]
        return soft_label_loss(logits, self.soft_labels[labelled.labels], self.temperature)

    def _labelled_target(self) -> Batch | None:
        if self.per_class and self.labelled_target is None:
            raise UserError(
                "method 'domain_confusion': target_labels_per_class > 0 needs labelled target "
                "examples; call use_target_labels() first (the engine does so in before_fit)"
            )
        return self.labelled_target if self.per_class else None

    @torch.no_grad()
    def _update_soft_labels(self, logits: torch.Tensor, labels: torch.Tensor) -> None:
        """Running per-class average of the source's softmax(h(x) / τ)."""
        probabilities = (logits / self.temperature).softmax(1)
        for label in labels.unique():
            batch_average = probabilities[labels == label].mean(0)
            self.soft_labels[label].lerp_(batch_average, 1 - self.momentum)


def frozen(module: nn.Module) -> Callable[[torch.Tensor], torch.Tensor]:
    """``module`` as a function of its input only: no gradient reaches its parameters."""
    parameters = {name: parameter.detach() for name, parameter in module.named_parameters()}
    return lambda inputs: functional_call(module, parameters, (inputs,))


def confusion_loss(logits: torch.Tensor) -> torch.Tensor:
    """L_conf: cross-entropy between the uniform distribution and q = (σ(z), 1 − σ(z))."""
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, 0.5))


def soft_label_loss(
    logits: torch.Tensor, soft_labels: torch.Tensor, temperature: float
) -> torch.Tensor:
    """L_soft: mean over rows of −Σ_i l_i log softmax(h / τ)_i."""
    return -(soft_labels * (logits / temperature).log_softmax(1)).sum(1).mean()
