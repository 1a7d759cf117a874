"""The command line: Hydra composes the config, this holds the run folder, records the run in it
and hands over to :func:`transferbench.experiment.run`.

Run as ``python -m transferbench`` or ``transferbench``; every run writes into its own Hydra
output dir (``results.json``, ``checkpoint.pt``, ``train.log``, ``.hydra/``). Nothing is written
there before the run holds the folder's lock and has checked that the folder is its own.
"""

from __future__ import annotations

import sys
from contextlib import nullcontext, suppress
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from transferbench.config import CONF_DIR, check_config
from transferbench.engine.distributed import NO_SWEEP, World, current_world
from transferbench.errors import UserError
from transferbench.experiment import finished_run
from transferbench.files import write_text
from transferbench.launch import launch_processes, logged_run, quiet_unless_main, report
from transferbench.layout import exclusive_run_dir
from transferbench.objective import check_objective, objective_value

#: Where a run folder keeps the composed config, Hydra's settings and the command's overrides.
RECORD_DIR = ".hydra"


def train_task(cfg: DictConfig) -> float | None:
    """Hydra task function: one run, or one job of a ``-m`` sweep; returns the run's objective
    (``transferbench/objective.py``), which an optimising sweeper (Optuna) maximises.

    Every error ends as one line (a traceback of an unexpected one goes to the run's train.log);
    a single run then exits non-zero, a sweep job returns None so that the sweep goes on and its
    summary lists the failure. Kept importable under its own name so that process-pool launchers
    (``hydra/launcher=joblib``) can send it to their workers by reference. Under torchrun, every
    process runs this; process 0 holds and writes the folder.
    """
    world = current_world()
    quiet_unless_main(world)
    try:
        return train_in_folder(cfg, shared_run_dir(world))
    except UserError as error:
        report(error, world)
        if HydraConfig.get().mode == RunMode.MULTIRUN:
            return None
        sys.exit(1)


def shared_run_dir(world: World) -> Path:
    """The run's folder: Hydra's; under torchrun, process 0's (each process's Hydra names its own
    by the time it started), the others' empty folders removed. A sweep is not split over processes."""
    own = Path(HydraConfig.get().runtime.output_dir)
    if world.size == 1:
        return own
    if HydraConfig.get().mode == RunMode.MULTIRUN:
        raise UserError(NO_SWEEP)
    chosen = world.from_main(own)
    if chosen != own:
        with suppress(OSError):
            own.rmdir()
    return chosen


def train_in_folder(cfg: DictConfig, run_dir: Path) -> float | None:
    """Check the objective, hold ``run_dir``, check that it is this run's, record the command, then
    run it here (``launch.logged_run``) or in ``trainer.processes`` processes. Under torchrun,
    process 0 alone holds, checks and writes the folder."""
    check_config(cfg)
    check_objective(cfg, optimizing=optimizing_sweep())
    world = current_world()
    processes = cfg.trainer.processes
    if processes > 1 and world.size > 1:
        raise UserError("trainer.processes starts the run's processes itself; run it without torchrun")
    with exclusive_run_dir(run_dir) if world.is_main else nullcontext():
        finished = world.decided_by_main(lambda: finished_run(cfg, run_dir)) if cfg.trainer.resume else None
        if world.is_main:
            record_command(cfg, run_dir)
        if processes == 1 or finished is not None:  # a finished run is read back, not started again
            return objective_value(logged_run(cfg, run_dir, world), cfg.objective)
    return objective_value(launch_processes(cfg, run_dir), cfg.objective)


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
