"""Metric loggers chosen by the ``logger`` config group (built with ``hydra.utils.instantiate``).

The training loop calls ``start`` once, ``log`` any number of times and ``finish`` at the end,
in a ``finally:``. A logger must never lose a run: ``log`` and ``finish`` only warn when the
logging backend fails, and ``finish`` is safe to call twice, or without a successful ``start``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

from rich.console import Console
from rich.markup import escape

from transferbench.errors import UserError, first_line

console = Console(stderr=True)

WANDB_MODES = ("auto", "online", "offline", "disabled")


def warn(message: str) -> None:
    """One line on stderr (``message`` is plain text, not rich markup)."""
    console.print(f"[yellow]warning:[/yellow] {escape(message)}", soft_wrap=True, highlight=False)


def note(message: str) -> None:
    console.print(escape(message), soft_wrap=True, highlight=False)


class NullLogger:
    """Logs nothing beyond ``results.json`` and the progress bar."""

    def start(self, run_dir: Path, config: Mapping[str, Any]) -> None:
        """Nothing to open."""

    def log(self, metrics: Mapping[str, float], step: int) -> None:
        """Nothing to record."""

    def finish(self) -> None:
        """Nothing to close."""


class WandbLogger:
    """Weights & Biases; ``mode: auto`` is online when WANDB_API_KEY is set, else offline.

    Online start waits at most ``init_timeout`` seconds for the server; if it fails, the run
    logs offline into the run folder instead (one warning says how to upload it later), so an
    unreachable server never costs a run. ``finish_timeout`` bounds the upload wait at the end
    (0: wait as long as it takes). ``silent`` replaces wandb's own console output with one line.
    """

    def __init__(
        self,
        project: str = "transferbench",
        mode: str = "auto",
        init_timeout: float = 30.0,
        finish_timeout: float = 60.0,
        silent: bool = True,
        **init_options: Any,
    ) -> None:
        self.project, self.mode, self.init_options = project, mode, init_options
        self.init_timeout, self.finish_timeout, self.silent = init_timeout, finish_timeout, silent
        self.run: Any = None
        self.sync_dir: Path | None = None
        self.log_failed = False

    def start(self, run_dir: Path, config: Mapping[str, Any]) -> None:
        self.check_options()
        self.log_failed = False
        try:
            import wandb
        except ImportError:
            raise UserError("logger=wandb needs wandb: pip install 'transferbench[wandb]'") from None
        # wandb's own usage telemetry goes to the same server and, when that server does not
        # answer, holds up the exit of the process for ~20 s; an explicit setting is kept.
        os.environ.setdefault("WANDB_ERROR_REPORTING", "false")
        if self.silent:
            # Also quiets the messages wandb prints before a run exists (login).
            wandb.setup(settings=wandb.Settings(silent=True))
        mode = self.mode
        if mode == "auto":
            mode = "online" if os.environ.get("WANDB_API_KEY") else "offline"
        if mode != "online":
            try:
                self.run = self.open(wandb, mode, run_dir, config)
            except Exception as error:
                raise UserError(
                    f"wandb could not start {mode} ({first_line(error)}); check the logger options, "
                    "or use logger=none"
                ) from None
            self.announce(mode)
            return
        try:
            self.run = self.open(wandb, "online", run_dir, config)
        except Exception as online_error:
            try:
                self.run = self.open(wandb, "offline", run_dir, config)
            except Exception as offline_error:
                raise UserError(
                    f"wandb could not start online ({first_line(online_error)}) nor offline "
                    f"({first_line(offline_error)}); check the logger options, or use logger=none"
                ) from None
            self.sync_dir = Path(self.run.settings.sync_dir)
            warn(
                f"wandb could not start online ({first_line(online_error)}); fell back to offline "
                f"logging in {self.sync_dir}: upload it later with `wandb sync {self.sync_dir}`"
            )
            return
        self.announce("online")

    def check_options(self) -> None:
        if self.mode not in WANDB_MODES:
            raise UserError(f"logger.mode must be one of {', '.join(WANDB_MODES)}, got {self.mode!r}")
        for name in ("init_timeout", "finish_timeout"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise UserError(f"logger.{name} must be a number of seconds, got {value!r}")
        if self.init_timeout == 0:
            raise UserError("logger.init_timeout must be more than 0 seconds")

    def open(self, wandb: Any, mode: str, run_dir: Path, config: Mapping[str, Any]) -> Any:
        settings = wandb.Settings(
            silent=self.silent,
            init_timeout=float(self.init_timeout),
            finish_timeout=float(self.finish_timeout),
            finish_timeout_raises=True,
        )
        return wandb.init(
            project=self.project, mode=mode, dir=str(run_dir), config=dict(config),
            settings=settings, **self.init_options,
        )

    def announce(self, mode: str) -> None:
        """One line in place of wandb's own output: where the run goes."""
        if mode == "disabled":
            return
        self.sync_dir = Path(self.run.settings.sync_dir)
        if not self.silent:
            return
        if mode == "online":
            note(f"wandb: logging to {self.run.url}")
        else:
            note(f"wandb: logging offline in {self.sync_dir}; upload it later with `wandb sync {self.sync_dir}`")

    def log(self, metrics: Mapping[str, float], step: int) -> None:
        if self.run is None or self.log_failed:
            return
        try:
            self.run.log(dict(metrics), step=step)
        except Exception as error:
            self.log_failed = True
            warn(f"wandb logging stopped at step {step} ({first_line(error)}); training goes on{self.saved_so_far()}")

    def finish(self) -> None:
        run, self.run = self.run, None
        if run is None:
            return
        try:
            run.finish()
        except TimeoutError:
            warn(f"wandb did not finish uploading within logger.finish_timeout={self.finish_timeout}s{self.saved_so_far()}")
        except Exception as error:
            warn(f"wandb could not finish the run ({first_line(error)}){self.saved_so_far()}")

    def saved_so_far(self) -> str:
        if self.sync_dir is None:
            return ""
        return f"; what it logged is in {self.sync_dir}: upload it with `wandb sync {self.sync_dir}`"
