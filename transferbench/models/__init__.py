"""Backbones (named feature extractors), the classifier around them, and discriminators."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from torch import nn

from transferbench.models.backbone import Backbone
from transferbench.models.classifier import Classifier, ModelOutput
from transferbench.models.discriminator import DomainDiscriminator
from transferbench.models.registry import BACKBONES
from transferbench.models.weights import load_backbone_weights
from transferbench.registry import import_submodules

import_submodules(__name__)


def build_model(
    cfg: Mapping[str, Any], input_shape: Sequence[int], num_classes: int, heads: Mapping[str, int] | None = None
) -> Classifier:
    """Build ``backbone.name`` from the registry and wrap it with bottleneck and head, plus a linear
    head of each size in ``heads`` by name (the task's related tasks); with ``backbone.weights``, the
    backbone's blocks come from that earlier run."""
    backbone = BACKBONES.build(cfg["name"], input_shape=input_shape, **dict(cfg.get("options") or {}))
    if cfg.get("weights"):
        load_backbone_weights(backbone, cfg["name"], cfg["weights"])
    model = Classifier(
        backbone,
        input_shape=input_shape,
        num_classes=num_classes,
        bottleneck_dim=cfg.get("bottleneck_dim"),
        backbone_lr_mult=cfg.get("lr_mult", 1.0),
    )
    for name, outputs in (heads or {}).items():
        model.add_head(name, nn.Linear(model.features_dim, outputs))
    return model


__all__ = ["BACKBONES", "Backbone", "Classifier", "DomainDiscriminator", "ModelOutput", "build_model"]
