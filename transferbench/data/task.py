"""A task: a labelled source domain and an unlabelled target domain, ready for the engine."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping, Sequence

import torch

from transferbench.data.domain import Domain, conform_images
from transferbench.data.registry import DATASETS


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
    """Source → target transfer problem with a shared label space."""

    name: str
    source: Domain
    target: Domain
    num_classes: int
    normalize: Normalize

    def to(self, device: torch.device | str) -> "Task":
        """The same task with every split moved to ``device`` (the on-device data path)."""
        return replace(self, source=self.source.to(device), target=self.target.to(device))

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.source.train.inputs.shape[1:])


def build_task(cfg: Mapping[str, Any], root: Path, download: bool) -> Task:
    """Load ``cfg.source`` and ``cfg.target`` from the dataset registry and make them agree."""
    options = dict(cfg.get("options") or {})
    domains = [
        _conform(DATASETS.build(name, root=root, download=download, **options), cfg)
        for name in (cfg["source"], cfg["target"])
    ]
    return Task(
        name=cfg["name"],
        source=domains[0],
        target=domains[1],
        num_classes=cfg["num_classes"],
        normalize=Normalize(cfg.get("mean"), cfg.get("std")),
    )


def _conform(domain: Domain, cfg: Mapping[str, Any]) -> Domain:
    size, channels = cfg.get("image_size"), cfg.get("channels")
    if size is None:
        return domain
    return Domain(*(conform_images(split, size, channels) for split in (domain.train, domain.test)))

