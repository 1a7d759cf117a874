"""The command line: Hydra composes the config, this holds the run folder, records the run in it
and hands over to :func:`transferbench.experiment.run`.

Run as ``python -m transferbench`` or ``transferbench``; every run writes into its own Hydra
output dir (``results.json``, ``checkpoint.pt``, ``train.log``, ``.hydra/``). Nothing is written
there before the run holds the folder's lock and has checked that the folder is its own.
"""

from __future__ import annotations

import logging
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from rich.console import Console
from rich.markup import escape

from transferbench.config import CONF_DIR
from transferbench.errors import UserError, first_line
from transferbench.experiment import finished_run, run
from transferbench.files import write_text
from transferbench.layout import LOG_FILE, exclusive_run_dir
from transferbench.objective import check_objective, objective_value

log = logging.getLogger(__name__)
console = Console(stderr=True)
#: Where a run folder keeps the composed config, Hydra's settings and the command's overrides.
RECORD_DIR = ".hydra"
LOG_FORMAT = "[%(asctime)s][%(name)s][%(levelname)s] - %(message)s"


def train_task(cfg: DictConfig) -> float | None:
    """Hydra task function: one run, or one job of a ``-m`` sweep; returns the run's objective
    (``transferbench/objective.py``), which an optimising sweeper (Optuna) maximises.

    Every error ends as one line (a traceback of an unexpected one goes to the run's train.log);
    a single run then exits non-zero, a sweep job returns None so that the sweep goes on and its
    summary lists the failure. Kept importable under its own name so that process-pool launchers
    (``hydra/launcher=joblib``) can send it to their workers by reference.
    """
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        return train_in_folder(cfg, run_dir)
    except UserError as error:
        console.print(f"[red]error:[/red] {escape(str(error))}", soft_wrap=True, highlight=False)
        if HydraConfig.get().mode == RunMode.MULTIRUN:
            return None
        sys.exit(1)


def train_in_folder(cfg: DictConfig, run_dir: Path) -> float | None:
    """Check the objective, hold ``run_dir``, check that it is this run's, record the command, then
    run; an unexpected error becomes one ``UserError`` line, its traceback going to train.log only."""
    check_objective(cfg, optimizing=optimizing_sweep())
    with exclusive_run_dir(run_dir):
        if cfg.trainer.resume:
            finished_run(cfg, run_dir)
        record_command(cfg, run_dir)
        with run_log(run_dir) as log_file:
            try:
                return objective_value(run(cfg, run_dir), cfg.objective)
            except UserError:
                raise
            except Exception as error:
                traceback = log.makeRecord(log.name, logging.ERROR, __file__, 0, "unexpected error", (), sys.exc_info())
                log_file.handle(traceback)
                raise UserError(
                    f"unexpected {first_line(error)}; the traceback is in {run_dir / LOG_FILE}"
                ) from error


main = hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name="config")(train_task)


def optimizing_sweep() -> bool:
    """Whether this run is a trial of a sweeper that reads its return value (Optuna), rather than
    a single run or a job of Hydra's basic grid sweeper."""
    hydra_cfg = HydraConfig.get()
    return hydra_cfg.mode == RunMode.MULTIRUN and not hydra_cfg.sweeper["_target_"].endswith(".BasicSweeper")


def record_command(cfg: DictConfig, run_dir: Path) -> None:
    """``.hydra/config.yaml``, ``hydra.yaml`` and ``overrides.yaml``, as Hydra writes them."""
    hydra_cfg = HydraConfig.get()
    record = {
        "config.yaml": cfg,
        "hydra.yaml": OmegaConf.create({"hydra": hydra_cfg}),
        "overrides.yaml": hydra_cfg.overrides.task,
    }
    for name, node in record.items():
        write_text(run_dir / RECORD_DIR / name, OmegaConf.to_yaml(node))


@contextmanager
def run_log(run_dir: Path) -> Iterator[logging.Handler]:
    """Python logging also into ``run_dir/train.log`` while the run lasts; yields that file's
    handler, for what goes into the file only (the traceback of an unexpected error)."""
    handler = logging.FileHandler(run_dir / LOG_FILE)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        handler.close()
