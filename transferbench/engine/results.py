"""The contents of ``results.json``: metrics, history, timings, config and provenance."""

from __future__ import annotations

import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from transferbench.engine.loop import METRICS, FitSettings, FitState
from transferbench.engine.seeding import cpu_threads_info

#: The accuracies on the run's own task; every other ``<name>_acc`` (or ``_mae``) is a related task's.
TASK_METRICS = ("target_acc", "source_acc")
#: The best target accuracy over evaluations: an oracle, never a selection rule.
ORACLE_METRIC = "oracle_target_acc"
PACKAGES = ("transferbench", "torch", "torchvision", "hydra-core", "omegaconf", "numpy")


def summarize(
    state: FitState, settings: FitSettings, identity: dict[str, Any], config: dict[str, Any],
    device: str, input_shape: tuple[int, ...], provenance: dict[str, Any], source_val_size: int = 0,
    processes: int = 1,
) -> dict[str, Any]:
    """Results of a finished run. Model selection is the last evaluation; the best-over-history
    number is recorded only as ``oracle_target_acc`` (it peeks at target test labels). Each
    related task's last accuracy is recorded as ``<name>_acc`` (``old_acc`` in continual learning),
    a related regression task's mean absolute error as ``<name>_mae``.
    ``provenance`` names the trained networks the method learned from (``Method.provenance``).
    ``validators`` are the last evaluation's scores (every evaluation's are in ``history``);
    ``source_val_size`` is how many source training examples were held out for validation;
    ``processes`` how many trained the run together (torchrun), each on its share of every batch."""
    last = state.history[-1]
    images = state.iteration * 2 * settings.batch_size
    return {
        "status": "completed",
        **identity,
        "selection": "last",
        "target_acc": last["target_acc"],
        "source_acc": last["source_acc"],
        **{key: value for key, value in last.items() if key.endswith(METRICS) and key not in TASK_METRICS},
        ORACLE_METRIC: max(record["target_acc"] for record in state.history),
        "validators": last.get("validators", {}),
        "source_val_size": source_val_size,
        "iterations": state.iteration,
        "input_shape": list(input_shape),
        "provenance": provenance,
        "history": state.history,
        "wall_time_s": round(state.wall_seconds, 3),
        "train_time_s": round(state.train_seconds, 3),
        "train_images_per_s": round(images / max(state.train_seconds, 1e-9), 1),
        "device": device,
        "processes": processes,
        "cpu_threads": cpu_threads_info(),
        "config": config,
        "environment": environment(),
    }


def failure(identity: dict[str, Any], error: str, config: dict[str, Any]) -> dict[str, Any]:
    return {"status": "failed", **identity, "error": error, "config": config, "environment": environment()}


def environment() -> dict[str, Any]:
    """Package versions, Python, machine and the git commit of the checkout."""
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "versions": versions,
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()} {platform.processor()}".strip(),
        "git_commit": _git_commit(),
    }


def _git_commit() -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True,
            text=True, check=True, timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
