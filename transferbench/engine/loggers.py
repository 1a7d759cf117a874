"""Metric loggers chosen by the ``logger`` config group (built with ``hydra.utils.instantiate``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

from transferbench.errors import UserError


class NullLogger:
    """Logs nothing beyond ``results.json`` and the progress bar."""

    def start(self, run_dir: Path, config: Mapping[str, Any]) -> None:
        """Nothing to open."""

    def log(self, metrics: Mapping[str, float], step: int) -> None:
        """Nothing to record."""

    def finish(self) -> None:
        """Nothing to close."""


class WandbLogger:
    """Weights & Biases; ``mode: auto`` is online when WANDB_API_KEY is set, else offline."""

    def __init__(self, project: str = "transferbench", mode: str = "auto", **init_options: Any) -> None:
        self.project, self.mode, self.init_options = project, mode, init_options
        self.run: Any = None

    def start(self, run_dir: Path, config: Mapping[str, Any]) -> None:
        try:
            import wandb
        except ImportError:
            raise UserError("logger=wandb needs wandb: pip install 'transferbench[wandb]'") from None
        mode = self.mode
        if mode == "auto":
            mode = "online" if os.environ.get("WANDB_API_KEY") else "offline"
        self.run = wandb.init(
            project=self.project, mode=mode, dir=str(run_dir), config=dict(config), **self.init_options
        )

    def log(self, metrics: Mapping[str, float], step: int) -> None:
        self.run.log(dict(metrics), step=step)

    def finish(self) -> None:
        self.run.finish()
