"""A task: a labelled source domain and an unlabelled target domain, ready for the engine."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping, Sequence

import torch

from transferbench.data.augment import Transform, build_augmentation, identity
from transferbench.data.domain import Domain, conform_images
from transferbench.data.registry import DATASETS
from transferbench.errors import UserError


class Normalize:
    """Turns a batch into network input: uint8 images → ``(x/255 − mean)/std``; floats pass."""

    def __init__(self, mean: Sequence[float] | None, std: Sequence[float] | None) -> None:
        self.mean = None if mean is None else torch.tensor(mean).view(1, -1, 1, 1)
        self.std = None if std is None else torch.tensor(std).view(1, -1, 1, 1)

    def __call__(self, inputs: torch.Tensor) -> torch.Tensor:
        if inputs.dtype != torch.uint8:
            return inputs
        images = inputs.float().div_(255.0)
        if self.mean is None:
            return images
        mean, std = self.mean.to(images.device), self.std.to(images.device)
        return (images - mean) / std


@dataclass
class Task:
    """Source → target transfer problem with a shared label space.

    ``augment_train`` and ``prepare_eval`` act on raw batches on the device before ``normalize``
    (random crops and flips for photos, see ``data/augment.py``); both default to the identity.
    """

    name: str
    source: Domain
    target: Domain
    num_classes: int
    normalize: Normalize
    augment_train: Transform = identity
    prepare_eval: Transform = identity

    def to(self, device: torch.device | str) -> "Task":
        """The same task with every split moved to ``device`` (the on-device data path)."""
        return replace(self, source=self.source.to(device), target=self.target.to(device))

    def train_inputs(self, inputs: torch.Tensor) -> torch.Tensor:
        """Network input for a training batch: augmented, then normalised."""
        return self.normalize(self.augment_train(inputs))

    def eval_inputs(self, inputs: torch.Tensor) -> torch.Tensor:
        """Network input for an evaluation batch: prepared (e.g. center-cropped), then normalised."""
        return self.normalize(self.prepare_eval(inputs))

    @property
    def input_shape(self) -> tuple[int, ...]:
        """The shape of one network input, after ``prepare_eval``."""
        return tuple(self.prepare_eval(self.source.train.inputs[:1]).shape[1:])


def build_task(cfg: Mapping[str, Any], root: Path, download: bool) -> Task:
    """Load ``cfg.source`` and ``cfg.target`` from the dataset registry and make them agree.

    A dataset YAML that lists its ``domains`` (Office-31) accepts any two of them.
    """
    _check_domains(cfg)
    options = dict(cfg.get("options") or {})
    domains = [
        _conform(DATASETS.build(name, root=root, download=download, **options), cfg)
        for name in (cfg["source"], cfg["target"])
    ]
    image_side = domains[0].train.inputs.shape[-1]
    augment_train, prepare_eval = build_augmentation(cfg.get("augment"), image_side)
    return Task(
        name=cfg["name"],
        source=domains[0],
        target=domains[1],
        num_classes=cfg["num_classes"],
        normalize=Normalize(cfg.get("mean"), cfg.get("std")),
        augment_train=augment_train,
        prepare_eval=prepare_eval,
    )


def _check_domains(cfg: Mapping[str, Any]) -> None:
    choices = cfg.get("domains")
    if choices is None:
        return
    for role in ("source", "target"):
        if cfg[role] not in choices:
            raise UserError(
                f"dataset.{role}={cfg[role]} is not one of this dataset's domains: {', '.join(choices)}"
            )


def _conform(domain: Domain, cfg: Mapping[str, Any]) -> Domain:
    size, channels = cfg.get("image_size"), cfg.get("channels")
    if size is None:
        return domain
    return Domain(*(conform_images(split, size, channels) for split in (domain.train, domain.test)))

