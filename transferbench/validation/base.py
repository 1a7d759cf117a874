"""What a validator sees and what it must say: the network's outputs on unlabelled target data,
on source training data and on the held-out source validation split, never a target label."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import torch

from transferbench.registry import Registry

VALIDATORS = Registry("validator", "trainer.validators")


@dataclass
class Outputs:
    """Logits ``(N, C)`` and features ``(N, D)`` of N examples, with their labels when the
    validator may see them (the source validation split); float64 on the CPU."""

    logits: torch.Tensor
    features: torch.Tensor
    labels: torch.Tensor | None = None

    @property
    def probabilities(self) -> torch.Tensor:
        return self.logits.softmax(dim=1)


@dataclass
class Evidence:
    """One evaluation's outputs: ``target`` (a fixed sample of the unlabelled target training
    data), ``source`` (a fixed sample of the source training data, labels unused) and
    ``source_val`` (the task's source validation split; None when the task holds none out)."""

    target: Outputs
    source: Outputs
    source_val: Outputs | None


class Validator(metaclass=ABCMeta):
    """Scores a trained network without target labels; comparing scores across evaluations (or
    runs) selects a checkpoint (or a hyper-parameter setting)."""

    #: Whether a larger score means a better network (False for a risk, such as DEV's).
    higher_is_better: ClassVar[bool] = True
    #: Whether the score needs the task's source validation split (``dataset.source_val``).
    needs_source_val: ClassVar[bool] = False

    @abstractmethod
    def __call__(self, evidence: Evidence) -> float:
        """The score of the network whose outputs ``evidence`` holds."""


def entropy(probabilities: torch.Tensor) -> torch.Tensor:
    """Shannon entropy (nats) along the last dimension, with 0 log 0 = 0."""
    return -torch.special.xlogy(probabilities, probabilities).sum(dim=-1)
