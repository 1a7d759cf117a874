"""A finished run's task and trained method, rebuilt from its run dir for analysis.

The run's ``results.json`` holds its resolved config: ``train.build_task_and_method`` rebuilds the
task and the method from it as training did, and ``checkpoint.pt``'s ``method`` state (saved after
the last evaluation, see ``engine/loop.py``) makes it the evaluated network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from omegaconf import DictConfig, OmegaConf, open_dict

from transferbench.data import Task
from transferbench.errors import UserError, first_line
from transferbench.files import load_torch
from transferbench.layout import CHECKPOINT_FILE, RESULTS_FILE, completed_results
from transferbench.methods import Method
from transferbench.train import build_task_and_method, config_digest


@dataclass
class RestoredRun:
    run_dir: Path
    results: dict[str, Any]
    task: Task
    method: Method


def restore_run(run_dir: Path, device: str = "cpu", data_root: Path | None = None) -> RestoredRun:
    """The task and the trained method (in eval mode) of the finished run in ``run_dir``;
    ``data_root`` replaces the data folder the run read."""
    results = _finished_results(run_dir)
    checkpoint = load_torch(run_dir / CHECKPOINT_FILE, str(run_dir / CHECKPOINT_FILE))
    cfg = OmegaConf.create(results["config"])
    if checkpoint.get("config_digest") != config_digest(cfg):
        raise UserError(f"{run_dir / CHECKPOINT_FILE} was not written by the run in {run_dir / RESULTS_FILE}")
    _skip_initial_weights(cfg)
    if data_root is not None:
        cfg.data.root = str(data_root)
    task, method = build_task_and_method(cfg, torch.device(device))
    method.load_state_dict(checkpoint["method"])
    method.eval()
    return RestoredRun(run_dir, results, task, method)


def _finished_results(run_dir: Path) -> dict[str, Any]:
    try:
        results = completed_results(run_dir)
    except (OSError, json.JSONDecodeError) as error:
        raise UserError(f"cannot read {run_dir / RESULTS_FILE} ({first_line(error)})") from error
    if results is None:
        raise UserError(f"{run_dir} is not a finished run: it needs a {RESULTS_FILE} that says completed")
    return results


def _skip_initial_weights(cfg: DictConfig) -> None:
    """The checkpoint replaces every weight, so neither download ImageNet weights nor read the
    run that a ``backbone.weights`` run started from."""
    with open_dict(cfg):
        if cfg.backbone.get("weights"):
            cfg.backbone.weights = None
        options = cfg.backbone.get("options") or {}
        if options.get("pretrained"):
            cfg.backbone.options.pretrained = False
        if options.get("weights"):
            cfg.backbone.options.weights = None
