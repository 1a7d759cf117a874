"""Learning a new task from a network trained on an old one, and measuring what the old task keeps.

Li & Hoiem ("Learning without Forgetting", ECCV 2016; TPAMI 2018, §3) name the parts of such a
network θs (the shared layers), θo (the old task's head) and θn (the new task's head, new). A
continual method starts from a finished run (``method.old``): its backbone and bottleneck become
θs, its head becomes the classifier's extra head ``old`` (θo), and the classifier's own head is
θn. The finished run's task is the run's related task ``old``, so every evaluation reports
``old_acc`` (θs + θo on the old task's test split, with the old task's input pipeline) beside
``target_acc`` (θs + θn on the new task). The original network stays available, frozen, as
``self.original`` (a ``Teacher``: in no optimizer and no checkpoint).

Which shared blocks train follows ``finetune``'s policy (``copy``, ``copied``, ``rest``, ``policy``,
``lr_mult``; every block fine-tuned by default); θo trains only in the methods that set
``old_head_trained``. ``warmup`` is LwF's warm-up (§3): for that fraction of the iterations θs and θo
stay fixed (BatchNorm statistics included) and only θn learns, on the new task's cross-entropy;
the methods here share it, so that their arms differ in their loss terms only.

This module registers ``continual_finetune`` (LwF's "fine-tuning": θs and θn trained on the new
task, θo kept as it was). ``continual_finetune_fc``, ``continual_feature_extraction``, ``lwf``, ``lfl``
and ``joint`` build on it.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar, Mapping

import torch
import torch.nn.functional as F

from transferbench.errors import UserError
from transferbench.methods.base import Batch
from transferbench.methods.finetune import Finetune
from transferbench.methods.registry import METHODS
from transferbench.methods.teacher import Teacher
from transferbench.models import Classifier
from transferbench.models.classifier import ModelOutput

#: The name of the old task: its head in ``ModelOutput.heads``, its related task, ``old_acc``.
OLD = "old"


@METHODS.register("continual_finetune")
class ContinualMethod(Finetune):
    #: Whether θo (the old task's head) is trained; else it keeps the original network's weights.
    old_head_trained: ClassVar[bool] = False

    def __init__(
        self, model: Classifier, old: str, warmup: float = 0.0, copy: int | str | None = None,
        copied: str = "finetune", rest: str = "finetune", policy: Mapping[str, str] | None = None,
        lr_mult: Mapping[str, float] | None = None,
    ) -> None:
        if not 0.0 <= warmup < 1.0:
            raise UserError(f"method.warmup={warmup} must lie in [0, 1) (the fraction of iterations that train θn only)")
        original = Teacher(old, model, option="method.old", same_labels=False)
        start_from(model, original, f"method.old={old}")
        super().__init__(model, copy, copied, rest, policy, lr_mult)
        model.heads[OLD].requires_grad_(self.old_head_trained)
        self.original, self.warmup = original, warmup

    def related_tasks(self) -> dict[str, Mapping[str, Any]]:
        return {OLD: self.original.task}

    def provenance(self) -> dict[str, Any]:
        return {OLD: self.original.identity}

    def warming_up(self, progress: float) -> bool:
        return progress < self.warmup

    def new_task_outputs(self, inputs: torch.Tensor, progress: float) -> ModelOutput:
        """The network's outputs; during the warm-up only θn's logits carry a gradient, and the
        shared layers run in eval mode (their BatchNorm statistics stay as loaded)."""
        if not self.warming_up(progress):
            return self.model(inputs)
        was_training = self.training
        self.eval()
        with torch.no_grad():
            outputs = self.model(inputs)
        self.train(was_training)
        outputs.logits = self.model.head(outputs.features)
        return outputs

    def losses(self, source: Batch, target: Batch, progress: float) -> dict[str, torch.Tensor]:
        outputs = self.new_task_outputs(source.inputs, progress)
        terms = {"classification": F.cross_entropy(outputs.logits, source.labels)}
        if not self.warming_up(progress):
            terms |= self.old_task_terms(source, outputs)
        return terms

    def old_task_terms(self, source: Batch, outputs: ModelOutput) -> dict[str, torch.Tensor]:
        """The method's terms that keep the old task, after the warm-up (none: fine-tuning)."""
        return {}


def start_from(model: Classifier, original: Teacher, named_by: str) -> None:
    """Load the original network's shared layers into ``model`` and add a copy of its head as ``old``."""
    network = original.network
    try:
        model.backbone.load_state_dict(network.backbone.state_dict())
        model.bottleneck.load_state_dict(network.bottleneck.state_dict())
    except RuntimeError:
        raise UserError(
            f"{named_by} has another architecture than this run's backbone: it was trained with "
            f"backbone={original.backbone.name} (options {dict(original.backbone.get('options') or {})}, "
            f"bottleneck_dim={original.backbone.get('bottleneck_dim')}); train with the same"
        ) from None
    model.add_head(OLD, copy.deepcopy(network.head).requires_grad_(True))
