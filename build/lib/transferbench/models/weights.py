"""``backbone.weights``: start a backbone from the one an earlier transferbench run trained.

This is how source-task pretraining works without ImageNet: train a base network on a source task
(any method; its run dir keeps ``checkpoint.pt``), then build a later run's backbone from it. Only
the backbone's blocks are loaded; the bottleneck and the head of the new task start afresh.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import torch

from transferbench.errors import UserError
from transferbench.files import load_torch
from transferbench.layout import CHECKPOINT_FILE, RESULTS_FILE, completed_results
from transferbench.models.backbone import Backbone

#: Where a checkpoint's method state keeps the backbone (``Method.model`` → ``Classifier.backbone``).
CHECKPOINT_PREFIX = "model.backbone."


def load_backbone_weights(backbone: Backbone, name: str, weights: str) -> None:
    """Load ``weights`` (a finished run's dir, a ``checkpoint.pt``, or a file saved with
    ``torch.save(backbone.state_dict(), path)``) into ``backbone`` or stop with one line."""
    state = backbone_state(Path(weights).expanduser(), weights)
    problem = mismatch(backbone.state_dict(), state)
    if problem:
        raise UserError(
            f"backbone.weights={weights} does not fit backbone {name} ({problem}); "
            f"load a run that trained backbone={name} with the same options"
        )
    backbone.load_state_dict(state, strict=False)


def backbone_state(path: Path, weights: str) -> Mapping[str, torch.Tensor]:
    """The backbone's state_dict held by ``path`` (a run dir, a checkpoint, or a state_dict)."""
    if path.is_dir():
        path = _finished_checkpoint(path, weights)
    content = load_torch(path, f"backbone.weights={weights}")
    if isinstance(content, Mapping) and isinstance(content.get("method"), Mapping):
        method = content["method"]
        return {key.removeprefix(CHECKPOINT_PREFIX): method[key] for key in method if key.startswith(CHECKPOINT_PREFIX)}
    if isinstance(content, Mapping):
        return content
    raise UserError(
        f"backbone.weights={weights} holds a {type(content).__name__}, not a checkpoint or a state_dict"
    )


def _finished_checkpoint(run_dir: Path, weights: str) -> Path:
    if completed_results(run_dir) is None or not (run_dir / CHECKPOINT_FILE).is_file():
        raise UserError(
            f"backbone.weights={weights} is not a finished run (it needs a completed {RESULTS_FILE} "
            f"and {CHECKPOINT_FILE}); train the base network first or name a checkpoint file"
        )
    return run_dir / CHECKPOINT_FILE


def mismatch(expected: Mapping[str, torch.Tensor], found: Mapping[str, Any]) -> str:
    """Missing, unexpected and wrongly shaped keys; BatchNorm's step counter may be absent (old files)."""
    problems = {
        "missing": [key for key in expected if key not in found and not key.endswith("num_batches_tracked")],
        "unexpected": [key for key in found if key not in expected],
        "wrong shape": [
            key for key in expected
            if key in found and getattr(found[key], "shape", None) != expected[key].shape
        ],
    }
    return "; ".join(f"{kind} {_some(keys)}" for kind, keys in problems.items() if keys)


def _some(keys: Sequence[str], shown: int = 3) -> str:
    more = f" and {len(keys) - shown} more" if len(keys) > shown else ""
    return ", ".join(keys[:shown]) + more
