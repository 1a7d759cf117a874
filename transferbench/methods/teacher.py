"""A student trained with a frozen teacher: the building blocks of the knowledge-transfer methods.

The teacher is a finished transferbench run, rebuilt through the one restore path
(``experiment.FinishedRun``), frozen and kept outside the student's modules, so it is neither in
the optimizer nor in the student's checkpoint. Its identity (run folder and config digest) goes
into the student's ``results.json`` through :meth:`StudentMethod.provenance`, so a table never
pools students of different teachers. This module registers no method.

Every student is trained on (1 − α) · CE(y, q) on the labelled batch plus, with α > 0, Hinton et
al.'s α · T² · KL(p_T ‖ q_T) (``losses/distillation.py``) on the transfer set, plus the terms of
its subclass. The transfer set is the labelled batch and the unlabelled one (``transfer_set:
all``, Hinton's "transfer set" of training images with or without labels) or the labelled batch
only (``labelled``, Srinivas & Fleuret's few-shot protocol).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from transferbench.errors import UserError
from transferbench.layout import CHECKPOINT_FILE
from transferbench.losses import distillation_loss
from transferbench.methods.base import Batch, Method
from transferbench.models.classifier import Classifier, ModelOutput

TransferSet = Literal["all", "labelled"]


class Teacher:
    """A finished run's trained network, frozen; not an ``nn.Module`` of the student, so it is
    never trained, saved with the student, or moved by ``.to()`` (it follows its inputs)."""

    def __init__(
        self, run: str, student: Classifier, option: str = "method.teacher", same_labels: bool = True
    ) -> None:
        """``run``: a finished run's folder or its ``checkpoint.pt``. With ``same_labels`` the run
        must share the student's label space; without, it keeps its own (an old task's network)."""
        from transferbench.experiment import FinishedRun  # experiment.py imports every method

        named_by = f"{option}={run}"
        folder = Path(run).expanduser()
        finished = FinishedRun.read(folder.parent if folder.name == CHECKPOINT_FILE else folder, named_by)
        classes = finished.cfg.dataset.num_classes
        _check_fit(finished.results, classes, student, same_labels, named_by)
        self.network = finished.trained_method(student.input_shape, classes).model
        self.network.requires_grad_(False)
        self.identity = finished.identity
        #: The dataset and backbone configs the network was trained with.
        self.task, self.backbone = finished.cfg.dataset, finished.cfg.backbone

    def __call__(self, inputs: torch.Tensor) -> ModelOutput:
        """The teacher's outputs, with a graph only when ``inputs`` require gradients."""
        self.network.to(inputs.device)
        with torch.set_grad_enabled(inputs.requires_grad):
            return self.network(inputs)


def _check_fit(
    results: dict[str, Any], classes: int, student: Classifier, same_labels: bool, named_by: str
) -> None:
    input_shape, num_classes = student.input_shape, student.head.out_features
    if same_labels and classes != num_classes:
        raise UserError(
            f"{named_by} was trained on {results.get('task')} with {classes} classes, this task has "
            f"{num_classes}; distil from a teacher of the same label space"
        )
    shape = results.get("input_shape")
    if shape is not None and tuple(shape) != tuple(input_shape):
        raise UserError(
            f"{named_by} was trained on inputs of shape {tuple(shape)}, this task's are "
            f"{tuple(input_shape)}; use a network trained at the same image size and channels"
        )


class StudentMethod(Method):
    """(1 − α) · CE + α · T² · KL(p_T ‖ q_T) + the subclass's :meth:`transfer` terms."""

    #: True for a term that differentiates the networks w.r.t. their inputs (Jacobian matching).
    needs_input_gradients = False

    def __init__(
        self, model: Classifier, teacher: str, alpha: float, temperature: float,
        transfer_set: TransferSet = "all",
    ) -> None:
        super().__init__(model)
        if not 0.0 <= alpha <= 1.0:
            raise UserError(f"method.alpha={alpha} must lie in [0, 1] (the weight of distillation)")
        if temperature <= 0:
            raise UserError(f"method.temperature={temperature} must be positive")
        if transfer_set not in ("all", "labelled"):
            raise UserError(f"method.transfer_set={transfer_set} must be all or labelled")
        self.teacher = Teacher(teacher, model)
        self.alpha, self.temperature, self.transfer_set = alpha, temperature, transfer_set

    def provenance(self) -> dict[str, Any]:
        return {"teacher": self.teacher.identity}

    def transfer(
        self, inputs: torch.Tensor, student: ModelOutput, teacher: ModelOutput
    ) -> dict[str, torch.Tensor]:
        """The method's own terms on the transfer set (none: plain distillation)."""
        return {}

    def losses(self, source: Batch, target: Batch, progress: float) -> dict[str, torch.Tensor]:
        parts = [source.inputs] if self.transfer_set == "labelled" else [source.inputs, target.inputs]
        inputs = torch.cat(parts)
        if self.needs_input_gradients:
            inputs = inputs.detach().requires_grad_(True)
        student, teacher = self.model(inputs), self.teacher(inputs)
        labelled = student.logits[: len(source.inputs)]
        terms = {"classification": (1.0 - self.alpha) * F.cross_entropy(labelled, source.labels)}
        if self.alpha > 0:
            soft = distillation_loss(student.logits, teacher.logits.detach(), self.temperature)
            terms["distillation"] = self.alpha * soft
        return terms | self.transfer(inputs, student, teacher)


class LayerPairs(nn.Module):
    """Pairs of student and teacher layers, by name, whose outputs a term compares.

    ``regress`` adds FitNets' learned regressor (Romero et al., ICLR 2015) where the widths
    differ: a 1×1 convolution for feature maps, a linear map for vectors. Without it, pairs must
    agree in ``same`` (``"spatial"``: height and width, for attention maps; ``"shape"``: all).
    """

    def __init__(
        self, student: Classifier, teacher: Teacher, layers: Sequence[str],
        teacher_layers: Sequence[str] | None, same: Literal["spatial", "shape"], regress: bool = False,
    ) -> None:
        super().__init__()
        self.names = list(zip(layers, teacher_layers or layers, strict=True))
        student_shapes = student.layer_shapes()
        teacher_shapes = teacher.network.layer_shapes()
        self.regressors = nn.ModuleList()
        for mine, theirs in self.names:
            shape = _shape_of(student_shapes, mine, "student", "method.layers")
            target = _shape_of(teacher_shapes, theirs, "teacher", "method.teacher_layers")
            self.regressors.append(_pair(mine, shape, theirs, target, same, regress))

    def outputs(self, student: ModelOutput, teacher: ModelOutput) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """Each pair's student output (through its regressor) and teacher output."""
        mine = [regressor(student.blocks[name]) for regressor, (name, _) in zip(self.regressors, self.names)]
        return mine, [teacher.blocks[name] for _, name in self.names]


def _shape_of(shapes: dict[str, tuple[int, ...]], name: str, role: str, option: str) -> tuple[int, ...]:
    if name not in shapes:
        raise UserError(f"{option}: the {role} has no layer '{name}'; choose from {', '.join(shapes)}")
    return shapes[name]


def _pair(
    mine: str, shape: tuple[int, ...], theirs: str, target: tuple[int, ...],
    same: Literal["spatial", "shape"], regress: bool,
) -> nn.Module:
    """The regressor of one pair (identity when none is needed), or a UserError. Feature maps
    ``(C, H, W)`` must agree in height and width; for vectors ``(D,)`` each unit is a position."""
    maps = len(shape) == 3
    if len(shape) != len(target) or (maps and shape[1:] != target[1:]):
        raise UserError(
            f"student layer {mine} {shape} and teacher layer {theirs} {target} differ in spatial size; "
            "pair layers whose outputs have the same height and width (method.layers, method.teacher_layers)"
        )
    if shape == target or (same == "spatial" and maps):
        return nn.Identity()
    if same == "spatial" or not regress:
        raise UserError(
            f"student layer {mine} {shape} and teacher layer {theirs} {target} differ in width; "
            "pair layers of equal shape" + ("" if same == "spatial" else " or set method.regressor=true")
        )
    return nn.Conv2d(shape[0], target[0], kernel_size=1) if maps else nn.Linear(shape[0], target[0])
