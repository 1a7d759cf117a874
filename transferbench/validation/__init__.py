"""Unsupervised validators, one module each; importing the package registers them all.

Each scores a trained network at every evaluation without a target label (``Evidence``); the
engine records the scores in the run's history, and tables select checkpoints by them
(``transferbench/analysis/selection.py``).
"""

from __future__ import annotations

from transferbench.registry import import_submodules
from transferbench.validation.base import VALIDATORS, Evidence, Outputs, Validator

import_submodules(__name__)

__all__ = ["VALIDATORS", "Evidence", "Outputs", "Validator"]
