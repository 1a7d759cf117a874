"""Shared fixtures: composing configs in-process, and finding the real data folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest
from omegaconf import DictConfig

from transferbench.config import compose_config
from transferbench.engine.loop import Trainer
from transferbench.experiment import run
from transferbench.methods import METHODS
from transferbench.methods.continual import ContinualMethod
from transferbench.methods.progressive_networks import ProgressiveNetworks
from transferbench.methods.teacher import StudentMethod
from transferbench.methods.zero_shot import ZeroShotMethod

REPO_ROOT = Path(__file__).resolve().parent.parent
QUIET = ["trainer.progress=false", "trainer.device=cpu"]


def real_data_root() -> Path:
    """$TRANSFERBENCH_DATA, else ../shared/datasets beside the checkout (where CI has it)."""
    return Path(os.environ.get("TRANSFERBENCH_DATA", REPO_ROOT.parent / "shared" / "datasets"))


@pytest.fixture
def data_root() -> Path:
    root = real_data_root()
    assert (root / "MNIST" / "raw").is_dir(), (
        f"real data not found at {root}; set TRANSFERBENCH_DATA or deselect with -m 'not real_data'"
    )
    return root


@pytest.fixture
def make_config() -> Callable[..., DictConfig]:
    """Compose ``transferbench/conf/config.yaml`` with overrides, as the CLI would (without running Hydra)."""

    def make(*overrides: str) -> DictConfig:
        return compose_config(*QUIET, *overrides)

    return make


@pytest.fixture(scope="session")
def moons_runs(tmp_path_factory) -> dict[str, Path]:
    """``{method: run dir}`` of two finished 20-iteration moons runs (source_only and dann), each
    with results.json and checkpoint.pt: runs to analyse, and teachers for the students' tests."""
    folder = tmp_path_factory.mktemp("moons")
    runs = {}
    for method in ("source_only", "dann"):
        cfg = compose_config(*QUIET, f"method={method}", "trainer.iterations=20", "trainer.eval_every=10")
        runs[method] = folder / method
        run(cfg, runs[method])
    return runs


#: A second moons task declared as the moons' related task ``other`` (for multi-task methods).
MOONS_RELATED = "+dataset.related={other:{name:moons_other,source:moons_rotated,target:moons_rotated,num_classes:2}}"

#: The moons as a zero-shot task: class 0 seen, class 1 unseen, described by two digits' segments.
MOONS_ZERO_SHOT = "+dataset.zero_shot={descriptions:seven_segment,unseen:[1]}"


def student_overrides(name: str, teacher: Path) -> list[str]:
    """What method ``name`` needs on the moons beyond its defaults: when it learns from a teacher,
    the teacher's run (e.g. ``moons_runs["source_only"]``) and, for layer-matching students, the
    MLP's layers; subspace alignment, subspaces no wider than the moons' two features; a continual
    method, its old run; a multi-task method, a related task; a zero-shot method, a class split; self-taught learning, an
    unlabelled pool."""
    if name == "subspace_alignment":
        return ["method.dims=2"]
    if name == "multitask":
        return [MOONS_RELATED]
    if issubclass(METHODS.get(name), ZeroShotMethod):
        return [MOONS_ZERO_SHOT]
    if name == "self_taught":
        return ["+dataset.unlabelled={domain:moons_rotated}", "method.atoms=4", "method.components=1"]
    if issubclass(METHODS.get(name), (ContinualMethod, ProgressiveNetworks)):
        return [f"method.old={teacher}"]
    if not issubclass(METHODS.get(name), StudentMethod):
        return []
    layers = ["method.layers=[fc1,fc2]"] if name in ("attention", "activation_transfer") else []
    return [f"method.teacher={teacher}", *layers]


class Killed(BaseException):
    """Stands in for SIGKILL in-process: nothing after it runs, not even a failure record."""


@pytest.fixture
def kill_after_checkpoint(monkeypatch) -> Callable[[int], None]:
    """``kill_after_checkpoint(n)``: the next training dies right after writing its n-th checkpoint."""

    def arm(count: int = 1) -> None:
        original, saved = Trainer.save_checkpoint, 0

        def save_then_die(trainer: Trainer) -> None:
            nonlocal saved
            original(trainer)
            saved += 1
            if saved == count:
                monkeypatch.setattr(Trainer, "save_checkpoint", original)
                raise Killed

        monkeypatch.setattr(Trainer, "save_checkpoint", save_then_die)

    return arm


def run_cli(*arguments: str, cwd: Path, env: dict[str, str] | None = None, timeout: int = 300):
    """Run ``python -m transferbench`` as a user would; returns the CompletedProcess."""
    return subprocess.run(
        [sys.executable, "-m", "transferbench", *arguments],
        cwd=cwd, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})},
    )
