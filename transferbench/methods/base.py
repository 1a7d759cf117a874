"""The method contract: what the engine may ask of every transfer method."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Mapping

import torch
from torch import nn

from transferbench.data.domain import Split
from transferbench.data.task import Task
from transferbench.models.classifier import Classifier, ModelOutput


@dataclass
class Batch:
    """A mini-batch of network-ready inputs; ``labels`` is None for unlabelled target data."""

    inputs: torch.Tensor
    labels: torch.Tensor | None = None


class Method(nn.Module, metaclass=ABCMeta):
    """A transfer method: owns the model plus any extra modules, and defines the losses.

    The engine sums the terms returned by :meth:`losses`, steps one optimizer over
    :meth:`parameter_groups`, and evaluates with :meth:`predict`. Everything
    method-specific (discriminators, kernels, schedules) lives in the subclass.
    """

    #: False for a method fitted outside the gradient step (in :meth:`before_fit`): the engine
    #: then builds no optimizer, takes no step, and evaluates and checkpoints once.
    trains_by_gradient: ClassVar[bool] = True
    #: True for an upper bound trained on the target's labels (train-on-target): only then does
    #: the engine hand over the target batches' labels; every other method sees them as None.
    uses_target_labels: ClassVar[bool] = False
    #: Related tasks (``related_tasks``) whose labelled training batches :meth:`losses` receives
    #: every step as ``related={name: Batch}`` (joint training on an old and a new task).
    trains_on: ClassVar[tuple[str, ...]] = ()

    def __init__(self, model: Classifier) -> None:
        super().__init__()
        self.model = model

    @abstractmethod
    def losses(self, source: Batch, target: Batch, progress: float) -> dict[str, torch.Tensor]:
        """Named loss terms for one step; ``progress`` ∈ [0, 1] drives schedules. For a method
        not trained by gradient, the engine records them once, on one batch, without a step."""

    def forward(self, source: Batch, target: Batch, progress: float, **related: Any) -> dict[str, torch.Tensor]:
        """One training step's :meth:`losses`: the call DistributedDataParallel wraps to average
        the gradients of a step over processes (``engine/distributed.py``)."""
        return self.losses(source, target, progress, **related)

    def parameter_groups(self) -> list[dict]:
        """The model's groups, then the method's own modules at the base learning rate."""
        model_params = {id(p) for p in self.model.parameters()}
        extra = [p for p in self.parameters() if id(p) not in model_params]
        groups = self.model.parameter_groups()
        return groups + ([{"params": extra, "lr_mult": 1.0}] if extra else [])

    def forward_domains(self, source: Batch, target: Batch) -> tuple[ModelOutput, ModelOutput]:
        """One forward pass over the source rows then the target rows, split back by domain.

        A joint pass lets BatchNorm see both domains in one batch, as in TLlib's methods.
        """
        outputs = self.model(torch.cat([source.inputs, target.inputs]))
        return split_output(outputs, len(source.inputs))

    @torch.no_grad()
    def predict(self, inputs: torch.Tensor) -> torch.Tensor:
        """Class logits for evaluation."""
        return self.model(inputs).logits

    @torch.no_grad()
    def embed(self, inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The logits :meth:`predict` gives and the model's features, for the validators
        (``transferbench/validation/``): one forward pass unless a subclass predicts otherwise."""
        outputs = self.model(inputs)
        logits = outputs.logits if type(self).predict is Method.predict else self.predict(inputs)
        return logits, outputs.features

    def related_tasks(self) -> dict[str, Mapping[str, Any]]:
        """The dataset configs of other tasks this method learns or keeps, by name (the old task
        of continual learning). The run builds them as it builds its own (same data folder and
        seed) into ``task.related``; every evaluation reports ``<name>_acc`` on each one's target
        test split, predicted by :meth:`predict_related`."""
        return {}

    @torch.no_grad()
    def predict_related(self, name: str, inputs: torch.Tensor) -> torch.Tensor:
        """Logits in related task ``name``'s label space: the classifier's head of that name."""
        return self.model(inputs).heads[name]

    def provenance(self) -> dict[str, Any]:
        """The trained networks this method learns from, by option name (a teacher's run folder
        and config digest), for ``results.json``; tables keep runs of different ones apart."""
        return {}

    def before_fit(self, task: Task) -> None:
        """Hook run once when training starts or resumes, with the whole task (a method that
        uses a few labelled target examples picks them here)."""

    def before_eval(
        self, domain: str, train: Split, prepare: Callable[[torch.Tensor], torch.Tensor]
    ) -> None:
        """Hook run before each domain's test split is evaluated (``domain`` is "source", then
        "target", then each related task's and named evaluation's name), with that domain's
        training split; ``prepare`` turns raw inputs into network input as evaluation does. AdaBN re-estimates BatchNorm statistics on ``train`` here, so
        that each domain is predicted with its own statistics."""


def split_output(outputs: ModelOutput, count: int) -> tuple[ModelOutput, ModelOutput]:
    """The first ``count`` rows of every output, and the remaining rows."""
    return _select(outputs, slice(None, count)), _select(outputs, slice(count, None))


def _select(outputs: ModelOutput, rows: slice) -> ModelOutput:
    blocks = {name: block[rows] for name, block in outputs.blocks.items()}
    heads = {name: logits[rows] for name, logits in outputs.heads.items()}
    return ModelOutput(outputs.logits[rows], outputs.features[rows], blocks, heads)
