"""The transferbench entrypoint: compose config → build pieces from registries → fit → results.

Run as ``python -m transferbench`` or ``transferbench``; every run writes into its own Hydra
output dir (``results.json``, ``checkpoint.pt``, ``.hydra/``).
"""

from __future__ import annotations

import copy
import hashlib
import sys
from pathlib import Path
from typing import Any

import hydra
import torch
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf
from rich.console import Console

from transferbench.cli import CONF_DIR
from transferbench.data import Task, build_task
from transferbench.engine import FitSettings, Trainer
from transferbench.files import write_json
from transferbench.engine.results import failure, summarize
from transferbench.engine.seeding import limit_cpu_threads, resolve_device, seed_everything
from transferbench.errors import UserError
from transferbench.layout import CHECKPOINT_FILE, RESULTS_FILE, completed_results
from transferbench.methods import Method, build_method
from transferbench.models import build_model

console = Console(stderr=True)


def train_task(cfg: DictConfig) -> float | None:
    """Hydra task function: one run, or one job of a ``-m`` sweep.

    Kept importable under its own name so that process-pool launchers (``hydra/launcher=joblib``)
    can send it to their workers by reference.
    """
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        return run(cfg, run_dir)["target_acc"]
    except UserError as error:
        if completed_results(run_dir) is None:
            write_json(run_dir / RESULTS_FILE, failure(identity(cfg), str(error), resolved(cfg)))
        console.print(f"[red]error:[/red] {error}", soft_wrap=True, highlight=False)
        if HydraConfig.get().mode == RunMode.MULTIRUN:
            return None
        sys.exit(1)


main = hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name="config")(train_task)


def run(cfg: DictConfig, run_dir: Path) -> dict[str, Any]:
    """Train and evaluate one configuration, writing ``results.json`` into ``run_dir``."""
    checkpoint = run_dir / CHECKPOINT_FILE
    if cfg.trainer.resume:
        finished = finished_run(cfg, run_dir)
        if finished is not None:
            console.print(f"{run_dir} already finished; target accuracy {finished['target_acc']:.2f}")
            return finished
    else:
        checkpoint.unlink(missing_ok=True)
    limit_cpu_threads(cfg.trainer.threads)
    seed_everything(cfg.seed)
    device = resolve_device(cfg.trainer.device)
    task, method = build_task_and_method(cfg, device)
    settings = fit_settings(cfg.trainer)
    optimizer = build_optimizer(cfg.optimizer, method)
    logger = instantiate(cfg.logger)
    logger.start(run_dir, resolved(cfg))
    trainer = Trainer(
        method, task, optimizer, build_scheduler(cfg.scheduler, optimizer, settings.iterations),
        settings, checkpoint, logger, seed=cfg.seed, config_digest=config_digest(cfg),
    )
    state = trainer.fit()
    logger.finish()
    results = summarize(state, settings, identity(cfg), resolved(cfg), str(device))
    write_json(run_dir / RESULTS_FILE, results)
    console.print(
        f"{cfg.method.name} on {cfg.dataset.name} (seed {cfg.seed}): target accuracy "
        f"{results['target_acc']:.2f}, source {results['source_acc']:.2f} → {run_dir}",
        highlight=False,
        soft_wrap=True,
    )
    return results


def finished_run(cfg: DictConfig, run_dir: Path) -> dict[str, Any] | None:
    """The results already in ``run_dir`` if that run finished with this config, None if it has
    not finished; a run that finished with another config is an error, not a stale result."""
    finished = completed_results(run_dir)
    if finished is not None and digest(finished.get("config", {})) != config_digest(cfg):
        raise UserError(
            f"{run_dir} holds a finished run with a different config; use a new output dir "
            "(hydra.run.dir / hydra.sweep.dir), or trainer.resume=false to train it again"
        )
    return finished


def build_task_and_method(cfg: DictConfig, device: torch.device) -> tuple[Task, Method]:
    """The task on ``device`` and the method (model and its own modules) that trains on it;
    ``analysis/restore.py`` rebuilds finished runs with it too."""
    task = build_task(cfg.dataset, Path(cfg.data.root), cfg.data.download).to(device)
    model = build_model(cfg.backbone, task.input_shape, task.num_classes)
    return task, build_method(cfg.method, model).to(device)


def fit_settings(trainer_cfg: DictConfig) -> FitSettings:
    fields = FitSettings.__dataclass_fields__
    settings = FitSettings(**{key: trainer_cfg[key] for key in fields if key in trainer_cfg})
    for name in ("iterations", "batch_size", "eval_every", "checkpoint_every", "log_every", "eval_batch_size"):
        value = getattr(settings, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise UserError(f"trainer.{name} must be a positive integer, got {value!r}")
    return settings


def build_optimizer(cfg: DictConfig, method: Method) -> torch.optim.Optimizer:
    """``hydra.utils.instantiate`` the optimizer with each group's lr scaled by its ``lr_mult``."""
    if not isinstance(cfg.lr, (int, float)) or cfg.lr <= 0:
        raise UserError(f"optimizer.lr must be a positive number, got {cfg.lr!r}")
    groups = [{**group, "lr": cfg.lr * group["lr_mult"]} for group in method.parameter_groups()]
    return instantiate(cfg, _partial_=True)(params=groups)


def build_scheduler(
    cfg: DictConfig, optimizer: torch.optim.Optimizer, iterations: int
) -> torch.optim.lr_scheduler.LambdaLR:
    """Per-iteration lr factor from a schedule of training progress p = step / iterations."""
    factor = instantiate(cfg)

    def at_step(step: int) -> float:
        return factor(min(step / iterations, 1.0))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, at_step)


def identity(cfg: DictConfig) -> dict[str, Any]:
    """The keys a results table groups by."""
    return {"method": cfg.method.name, "task": cfg.dataset.name, "seed": cfg.seed}


def resolved(cfg: DictConfig) -> dict[str, Any]:
    return OmegaConf.to_container(cfg, resolve=True)


def config_digest(cfg: DictConfig) -> str:
    return digest(resolved(cfg))


def digest(config: dict[str, Any]) -> str:
    """Hash of everything in a resolved config that determines the numbers (not display, device,
    resume or data-location switches, nor the logger)."""
    relevant = copy.deepcopy(config)
    for key in ("progress", "resume", "device", "threads"):
        relevant.get("trainer", {}).pop(key, None)
    relevant.pop("logger", None)
    relevant.pop("data", None)
    return hashlib.sha256(OmegaConf.to_yaml(OmegaConf.create(relevant)).encode()).hexdigest()[:16]
