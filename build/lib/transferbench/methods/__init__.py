"""Transfer methods, one module each; importing the package registers them all."""

from __future__ import annotations

from typing import Any, Mapping

from transferbench.methods.base import Batch, Method
from transferbench.methods.registry import METHODS
from transferbench.models import Classifier
from transferbench.registry import import_submodules

import_submodules(__name__)


def build_method(cfg: Mapping[str, Any], model: Classifier) -> Method:
    """Instantiate ``method.name`` with the remaining keys of its config as arguments."""
    options = {key: value for key, value in cfg.items() if key != "name"}
    return METHODS.build(cfg["name"], model, **options)


__all__ = ["METHODS", "Batch", "Method", "build_method"]
