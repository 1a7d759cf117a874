"""The public way to assemble, train, resume and restore a run from a composed config.

    from transferbench import Experiment, compose_config, run
    cfg = compose_config("method=dann", "dataset=moons")
    results = run(cfg, Path("runs/a"))          # trains, resumes a killed run, or returns a finished one
    trained = Experiment.restore(Path("runs/a"))  # that run's task and trained method, for analysis

``python -m transferbench`` is this plus Hydra's command line, multirun and run folders
(``train.py``). Scripts and tests build runs only through this module.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

import torch
from hydra.errors import InstantiationException
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf, open_dict
from rich.console import Console

from transferbench.config import check_config, config_digest, digest, one_line, resolved
from transferbench.data import Task, build_task
from transferbench.data.zero_shot import ATTRIBUTES, load_descriptions
from transferbench.engine import FitSettings, Trainer
from transferbench.engine.distributed import current_world
from transferbench.engine.loggers import NullLogger
from transferbench.engine.loop import METRICS, BatchSource
from transferbench.engine.results import ORACLE_METRIC, TASK_METRICS, failure, summarize
from transferbench.engine.seeding import limit_cpu_threads, resolve_device, seed_everything
from transferbench.errors import UserError, first_line
from transferbench.files import load_torch, write_json
from transferbench.layout import (
    CHECKPOINT_FILE, RESULTS_FILE, completed_results, exclusive_run_dir, remove_temporary_files,
)
from transferbench.methods import Method, build_method
from transferbench.models import build_model
from transferbench.plugins import load_plugins

log = logging.getLogger(__name__)
console = Console(stderr=True)
#: Builds the (source, target) training batch sources of a task; None = the on-device samplers.
Samplers = Callable[[Task], tuple[BatchSource, BatchSource]]


@dataclass
class Experiment:
    """A config's task and method, built as every run builds them."""

    cfg: DictConfig
    task: Task
    method: Method
    device: torch.device

    @classmethod
    def build(cls, cfg: DictConfig, device: str | None = None) -> "Experiment":
        """Seed, then build the task on ``device`` (default ``trainer.device``) and the method,
        its network compiled when ``trainer.compile`` says so."""
        task, where = _seeded_task(cfg, device or cfg.trainer.device)
        model = build_model(cfg.backbone, task.input_shape, task.num_classes, related_heads(cfg.dataset))
        method = build_method(cfg.method, model)
        if cfg.trainer.compile:
            model.compile()
        return cls(cfg, _with_related(task, method, cfg, where), _placed(method, where, cfg), where)

    def trainer(
        self, checkpoint: Path, logger: Any = None, samplers: Samplers | None = None
    ) -> Trainer:
        """The engine over this experiment, checkpointing to ``checkpoint`` (resumed from it when
        it exists); ``samplers`` replaces the on-device batch samplers."""
        settings = fit_settings(self.cfg.trainer)
        optimizer = scheduler = None
        if self.method.trains_by_gradient:
            optimizer = build_optimizer(self.cfg.optimizer, self.method)
            scheduler = build_scheduler(self.cfg.scheduler, optimizer, settings.iterations)
        return Trainer(
            self.method, self.task, optimizer, scheduler, settings, checkpoint, logger or NullLogger(),
            seed=self.cfg.seed, config_digest=config_digest(self.cfg),
            samplers=samplers(self.task) if samplers else None, world=current_world(),
        )

    @classmethod
    def restore(cls, run_dir: Path, device: str = "cpu", data_root: Path | None = None) -> "Experiment":
        """The finished run in ``run_dir``: its task and its trained method in eval mode, rebuilt
        from the config in its ``results.json`` and the weights in its ``checkpoint.pt`` (saved
        after the last evaluation); ``data_root`` replaces the data folder the run read."""
        finished = FinishedRun.read(run_dir)
        if data_root is not None:
            finished.cfg.data.root = str(data_root)
        task, where = _seeded_task(finished.cfg, device)
        method = finished.trained_method(task.input_shape, task.num_classes)
        return cls(finished.cfg, _with_related(task, method, finished.cfg, where), _placed(method, where, finished.cfg), where)


def memory_format(cfg: DictConfig) -> torch.memory_format:
    """The memory order of images and convolution weights: channels-last unless
    ``trainer.channels_last`` is false (runs from before the option were channels-last)."""
    return torch.channels_last if cfg.trainer.get("channels_last", True) else torch.contiguous_format


def _placed(method: Method, device: torch.device, cfg: DictConfig) -> Method:
    """``method`` on ``device``, its convolution weights in the memory order of the images
    ``Normalize`` hands it."""
    return method.to(device, memory_format=memory_format(cfg))


def _seeded_task(cfg: DictConfig, device: str) -> tuple[Task, torch.device]:
    """Check the config, import its plugins, seed, and build its task on ``device``."""
    check_config(cfg)
    load_plugins(cfg.get("imports") or ())
    seed_everything(cfg.seed)
    where = choose_device(device)
    task = build_task(cfg.dataset, Path(cfg.data.root), cfg.data.download, seed=cfg.seed)
    return task.to(where, memory_format(cfg)), where


def _with_related(task: Task, method: Method, cfg: DictConfig, device: torch.device) -> Task:
    """``task`` with the related tasks ``method`` names too, built from the run's data folder and seed."""
    related = {
        name: build_task(spec, Path(cfg.data.root), cfg.data.download, seed=cfg.seed).to(device, memory_format(cfg))
        for name, spec in method.related_tasks().items()
    }
    clash = sorted(set(related) & set(task.related))
    if clash:
        raise UserError(
            f"dataset.related.{clash[0]} and method {cfg.method.name}'s related task {clash[0]} share a "
            "name; rename the dataset's"
        )
    return replace(task, related=task.related | related) if related else task


def related_heads(dataset: DictConfig) -> dict[str, int]:
    """The output count of every related task a task YAML declares (``dataset.related``), by name,
    and a zero-shot task's ``attributes`` head (one output per attribute of its descriptions)."""
    heads = {name: spec.num_classes for name, spec in (dataset.get("related") or {}).items()}
    if dataset.get("zero_shot"):
        heads[ATTRIBUTES] = load_descriptions(dataset.zero_shot.descriptions, dataset.num_classes).shape[1]
    return heads


@dataclass
class FinishedRun:
    """A finished run's results, config and checkpoint, read from its folder and checked to
    belong together: the one way a trained network comes back (analysis, teachers)."""

    run_dir: Path
    results: dict[str, Any]
    cfg: DictConfig
    checkpoint: dict[str, Any]

    @classmethod
    def read(cls, run_dir: Path, named_by: str | None = None) -> "FinishedRun":
        """The run in ``run_dir``; ``named_by`` (e.g. ``method.teacher=...``) starts each error."""
        where = named_by or str(run_dir)
        if not run_dir.is_dir():
            raise UserError(f"{where}: no run folder at {run_dir}; name the output folder of a finished run")
        results = completed_results(run_dir)
        if results is None:
            raise UserError(
                f"{where} is not a finished run: it needs a {RESULTS_FILE} that says completed "
                "(train it to the end first)"
            )
        checkpoint = load_torch(run_dir / CHECKPOINT_FILE, str(run_dir / CHECKPOINT_FILE))
        cfg = OmegaConf.create(results["config"])
        if checkpoint.get("config_digest") != config_digest(cfg):
            raise UserError(f"{run_dir / CHECKPOINT_FILE} was not written by the run in {run_dir / RESULTS_FILE}")
        _skip_initial_weights(cfg)
        return cls(run_dir, results, cfg, checkpoint)

    def trained_method(self, input_shape: tuple[int, ...], num_classes: int) -> Method:
        """The run's method with its trained weights, in eval mode, on the CPU. Building it leaves
        the global random state as it was, so restoring a network changes no run's draws."""
        load_plugins(self.cfg.get("imports") or ())
        with torch.random.fork_rng(devices=[]):
            model = build_model(self.cfg.backbone, input_shape, num_classes, related_heads(self.cfg.dataset))
            method = build_method(self.cfg.method, model)
        method.load_state_dict(self.checkpoint["method"])
        return method.eval()

    @property
    def identity(self) -> dict[str, Any]:
        """What a result records about a network it learned from."""
        keys = ("method", "task", "seed", "target_acc")
        return {"run": str(self.run_dir), "config_digest": self.checkpoint["config_digest"]} | {
            key: self.results.get(key) for key in keys
        }


def run(cfg: DictConfig, run_dir: Path, samplers: Samplers | None = None) -> dict[str, Any]:
    """Train and evaluate ``cfg`` in ``run_dir`` and return its ``results.json``.

    The folder is held exclusively for the run. A finished run with the same config is returned
    as it is; a killed one continues from its checkpoint (``trainer.resume``). A run that fails
    leaves ``"status": "failed"`` with the error, unless the folder holds a finished run. In a run
    of several processes (torchrun) process 0 alone holds and writes the folder.
    """
    world = current_world()
    with exclusive_run_dir(run_dir) if world.is_main else nullcontext():
        finished = world.decided_by_main(lambda: _prepared_folder(cfg, run_dir))
        if finished is not None:
            if world.is_main:
                console.print(f"{run_dir} already finished; target accuracy {finished['target_acc']:.2f}")
            return finished
        try:
            return _train(cfg, run_dir, samplers)
        except Exception as error:
            if world.is_main:
                _record_failure(cfg, run_dir, error)
            raise


def _prepared_folder(cfg: DictConfig, run_dir: Path) -> dict[str, Any] | None:
    """The results of the finished run in ``run_dir``; else None, the folder cleared of what a
    killed run left (and of its checkpoint, without ``trainer.resume``)."""
    finished = finished_run(cfg, run_dir) if cfg.trainer.resume else None
    if finished is None:
        remove_temporary_files(run_dir)
        if not cfg.trainer.resume:
            (run_dir / CHECKPOINT_FILE).unlink(missing_ok=True)
    return finished


def finished_run(cfg: DictConfig, run_dir: Path) -> dict[str, Any] | None:
    """The results in ``run_dir`` if that run finished with this config, None if it has not
    finished; a run that finished with another config is an error, not a stale result."""
    finished = completed_results(run_dir)
    if finished is not None and digest(finished.get("config", {})) != config_digest(cfg):
        raise UserError(
            f"{run_dir} holds a finished run with a different config; use a new output dir "
            "(hydra.run.dir / hydra.sweep.dir), or trainer.resume=false to train it again"
        )
    return finished


def _train(cfg: DictConfig, run_dir: Path, samplers: Samplers | None) -> dict[str, Any]:
    world = current_world()
    experiment = Experiment.build(cfg)
    batch_shape = (2 * cfg.trainer.batch_size // world.size, *experiment.task.input_shape)
    limit_cpu_threads(cfg.trainer.threads, experiment.method.model, batch_shape)
    logger = _instantiate("logger", cfg.logger) if world.is_main else NullLogger()
    logger.start(run_dir, resolved(cfg))
    try:
        trainer = experiment.trainer(run_dir / CHECKPOINT_FILE, logger, samplers)
        state = trainer.fit()
    finally:
        logger.finish()
    held_out = experiment.task.source.val
    results = summarize(
        state, trainer.settings, identity(cfg), resolved(cfg), str(experiment.device),
        experiment.task.input_shape, experiment.method.provenance(), 0 if held_out is None else len(held_out),
        world.size,
    )
    if not world.is_main:
        return results
    write_json(run_dir / RESULTS_FILE, results)
    shown = (*TASK_METRICS, ORACLE_METRIC)
    related = "".join(
        f", {key.replace('_', ' ')} {value:.2f}" for key, value in results.items()
        if key.endswith(METRICS) and key not in shown
    )
    console.print(
        f"{cfg.method.name} on {cfg.dataset.name} (seed {cfg.seed}): target accuracy "
        f"{results['target_acc']:.2f}, source {results['source_acc']:.2f}{related} → {run_dir}",
        highlight=False, soft_wrap=True,
    )
    return results


def _record_failure(cfg: DictConfig, run_dir: Path, error: Exception) -> None:
    """``"status": "failed"`` with the error's line, where the folder can still be written."""
    message = str(error) if isinstance(error, UserError) else first_line(error)
    try:
        if completed_results(run_dir) is None:
            write_json(run_dir / RESULTS_FILE, failure(identity(cfg), message, _config_or_none(cfg)))
    except UserError as unrecorded:  # an unreadable results.json is left for the user to see
        log.warning("the failure is not recorded: %s", unrecorded)


def _config_or_none(cfg: DictConfig) -> dict[str, Any] | None:
    try:
        return resolved(cfg)
    except Exception:  # an invalid value can make the config itself unresolvable
        return None


def choose_device(name: str) -> torch.device:
    """``auto`` (CUDA when available, else the CPU), ``cpu``, or an available ``cuda[:N]``; in a
    run of several processes, ``auto`` and ``cuda`` are each process's own GPU."""
    try:
        device = resolve_device(name)
    except RuntimeError:
        raise UserError(f"trainer.device={name} is not a device; use auto, cpu, cuda or cuda:N") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise UserError(f"trainer.device={name}: CUDA is not available here; use trainer.device=cpu or auto")
    return current_world().device(device)


def fit_settings(trainer_cfg: DictConfig) -> FitSettings:
    """The loop's settings from ``trainer:``; counts and intervals must be positive."""
    fields = FitSettings.__dataclass_fields__
    values = OmegaConf.to_container(trainer_cfg, resolve=True)
    settings = FitSettings(**{key: values[key] for key in fields if key in values})
    for name in ("iterations", "batch_size", "eval_every", "checkpoint_every", "log_every", "eval_batch_size", "validation_samples"):
        value = getattr(settings, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise UserError(f"trainer.{name} must be a positive integer, got {value!r}")
    return settings


def build_optimizer(cfg: DictConfig, method: Method) -> torch.optim.Optimizer:
    """``hydra.utils.instantiate`` the optimizer with each group's lr scaled by its ``lr_mult``."""
    if not isinstance(cfg.lr, (int, float)) or cfg.lr <= 0:
        raise UserError(f"optimizer.lr must be a positive number, got {cfg.lr!r}")
    groups = [{**group, "lr": cfg.lr * group["lr_mult"]} for group in method.parameter_groups()]
    optimizer = _instantiate("optimizer", cfg, _partial_=True)
    try:
        return optimizer(params=groups)
    except (TypeError, ValueError) as error:
        raise UserError(f"optimizer: {error}; check optimizer's keys (--cfg job prints them)") from None


def build_scheduler(
    cfg: DictConfig, optimizer: torch.optim.Optimizer, iterations: int
) -> torch.optim.lr_scheduler.LambdaLR:
    """Per-iteration lr factor from a schedule of training progress p = step / iterations."""
    factor = _instantiate("scheduler", cfg)

    def at_step(step: int) -> float:
        return factor(min(step / iterations, 1.0))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, at_step)


def _instantiate(group: str, cfg: DictConfig, **options: Any) -> Any:
    """``hydra.utils.instantiate`` with a misspelt or invalid key as one ``UserError`` line."""
    try:
        return instantiate(cfg, **options)
    except InstantiationException as error:
        raise UserError(f"{group}: {one_line(error)}; check {group}'s keys (--cfg job prints them)") from None


def identity(cfg: DictConfig) -> dict[str, Any]:
    """The keys a results table groups by."""
    return {"method": cfg.method.name, "task": cfg.dataset.name, "seed": cfg.seed}


def _skip_initial_weights(cfg: DictConfig) -> None:
    """The checkpoint replaces every weight, so neither download ImageNet weights nor read the
    run that a ``backbone.weights`` run started from."""
    with open_dict(cfg):
        if cfg.backbone.get("weights"):
            cfg.backbone.weights = None
        options = cfg.backbone.get("options") or {}
        if options.get("pretrained"):
            cfg.backbone.options.pretrained = False
        if options.get("weights"):
            cfg.backbone.options.weights = None
