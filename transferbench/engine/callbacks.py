"""Hydra callbacks: a sweep keeps going past failed runs, then reports them and exits non-zero."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig
from rich.console import Console


class SweepSummary(Callback):
    """After a multirun, list the runs whose ``results.json`` says they failed."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        failed = []
        for path in sorted(Path(config.hydra.sweep.dir).rglob("results.json")):
            results = json.loads(path.read_text())
            if results.get("status") == "failed":
                failed.append(f"{path.parent} ({results.get('error')})")
        if failed:
            console = Console(stderr=True)
            console.print(f"[red]{len(failed)} run(s) failed:[/red] " + "; ".join(failed), soft_wrap=True)
            sys.exit(1)
