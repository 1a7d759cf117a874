"""Hydra callbacks: a sweep keeps going past failed runs, then reports them and exits non-zero."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig
from rich.console import Console
from rich.markup import escape

from transferbench.analysis.runs import collect_runs


class SweepSummary(Callback):
    """After a multirun, list the runs that failed (their ``results.json`` says so, or cannot be
    read) and those that did not finish; runs that another process is still training in the same
    sweep folder are named but do not fail this sweep."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        runs = collect_runs(Path(config.hydra.sweep.dir))
        failed = [f"{run_dir} ({error})" for run_dir, error in runs.failed]
        unfinished = [str(run_dir) for run_dir in runs.unfinished]
        console = Console(stderr=True)
        if failed:
            console.print(f"[red]{len(failed)} run(s) failed:[/red] " + escape("; ".join(failed)), soft_wrap=True)
        if unfinished:
            console.print(f"[red]{len(unfinished)} run(s) unfinished:[/red] " + escape("; ".join(unfinished)), soft_wrap=True)
        if runs.running:
            running = "; ".join(str(run_dir) for run_dir in runs.running)
            console.print(f"{len(runs.running)} run(s) still running in another process: {escape(running)}", soft_wrap=True)
        if failed or unfinished:
            sys.exit(1)
