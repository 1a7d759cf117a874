"""Shared fixtures: composing configs in-process, and finding the real data folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig

from transferbench.cli import CONF_DIR

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
        with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
            return compose("config", overrides=[*QUIET, *overrides])

    return make


def run_cli(*arguments: str, cwd: Path, env: dict[str, str] | None = None, timeout: int = 300):
    """Run ``python -m transferbench`` as a user would; returns the CompletedProcess."""
    return subprocess.run(
        [sys.executable, "-m", "transferbench", *arguments],
        cwd=cwd, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})},
    )
