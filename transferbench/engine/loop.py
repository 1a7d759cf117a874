"""The iteration-based training loop shared by every method.

N iterations of paired source/target mini-batches drawn from infinite samplers, as in the
domain-adaptation literature; evaluation on the target test split every ``eval_every``
iterations and at the end, with the unsupervised validators' scores beside it (model selection
without target labels, ``transferbench/validation/``); a checkpoint at fixed intervals from
which a killed run continues to exactly the numbers of an uninterrupted one.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import torch

from transferbench.data import InfiniteSampler, Task
from transferbench.data.subset import fixed_draw
from transferbench.engine.distributed import World
from transferbench.engine.evaluate import accuracy, embeddings, mean_absolute_error
from transferbench.engine.precision import Precision
from transferbench.engine.progress import training_progress
from transferbench.engine.seeding import process_seed, restore_rng_state, rng_state, seed_everything
from transferbench.errors import UserError
from transferbench.files import load_torch, save_torch
from transferbench.methods import Batch, Method
from transferbench.validation import VALIDATORS, Evidence, Outputs, Validator

log = logging.getLogger(__name__)
#: The suffixes of the metrics an evaluation records: accuracy (%) and mean absolute error.
METRICS = ("_acc", "_mae")


class BatchSource(Protocol):
    """Endless ``(inputs, labels)`` training batches of one domain whose state is checkpointed
    (``InfiniteSampler``, or another input pipeline handed to the Trainer)."""

    def __next__(self) -> tuple[torch.Tensor, torch.Tensor]: ...

    def state_dict(self) -> dict[str, Any]: ...

    def load_state_dict(self, state: dict[str, Any]) -> None: ...


@dataclass
class FitSettings:
    iterations: int
    batch_size: int
    eval_every: int
    checkpoint_every: int
    log_every: int = 10
    eval_batch_size: int = 1000
    progress: bool = True
    #: The validators scored at every evaluation (``transferbench/validation/``), by name.
    validators: list[str] = field(default_factory=lambda: ["source_val", "im", "snd", "dev"])
    #: How many source and target training examples (a fixed draw) the validators see.
    validation_samples: int = 2000
    #: fp32, or mixed precision: bf16, fp16 (with a gradient scaler); ``engine/precision.py``.
    precision: str = "fp32"


@dataclass
class FitState:
    """Everything about a run's progress that is not a module or optimizer state."""

    iteration: int = 0
    train_seconds: float = 0.0
    wall_seconds: float = 0.0
    history: list[dict[str, Any]] = field(default_factory=list)
    last_losses: dict[str, float] = field(default_factory=dict)


class Trainer:
    """Runs one method on one task; knows nothing method-specific.

    ``samplers`` (source, target) replaces the default on-device ``InfiniteSampler`` pair. A
    method that is not trained by gradient (``Method.trains_by_gradient``) gets no optimizer and
    no steps: it is fitted in ``before_fit``, then evaluated and checkpointed once. ``world`` is
    the processes training the run together (``engine/distributed.py``): each trains on its share
    of every batch, and process 0 alone writes the checkpoint and shows progress.
    """

    def __init__(
        self, method: Method, task: Task, optimizer: torch.optim.Optimizer | None,
        scheduler: torch.optim.lr_scheduler.LRScheduler | None, settings: FitSettings,
        checkpoint_path: Path, logger: Any, seed: int, config_digest: str,
        samplers: tuple[BatchSource, BatchSource] | None = None, world: World = World(),
    ) -> None:
        self.method, self.task, self.settings, self.world, self.seed = method, task, settings, world, seed
        self.optimizer, self.scheduler, self.logger = optimizer, scheduler, logger
        self.checkpoint_path, self.config_digest = checkpoint_path, config_digest
        world.decided_by_main(lambda: world.share_of(settings.batch_size))
        self.source, self.target = map(world.share, samplers or (
            InfiniteSampler(task.source.train, settings.batch_size, seed=seed),
            InfiniteSampler(task.target.train, settings.batch_size, seed=seed + 1),
        ))
        missing = [name for name in method.trains_on if name not in task.related]
        if missing:
            raise UserError(
                f"the method trains on a related task '{missing[0]}' that task {task.name} does not have "
                f"(its related tasks: {', '.join(task.related) or 'none'}); choose a task that declares it"
            )
        self.related = {
            name: world.share(InfiniteSampler(task.related[name].source.train, settings.batch_size, seed=seed + 2 + index))
            for index, name in enumerate(method.trains_on)
        }
        device = task.source.train.inputs.device
        self.precision = Precision(settings.precision, device)
        # The module a training step calls: the method, or its replica that averages gradients.
        self.step_module = world.replicated(method, device) if method.trains_by_gradient else method
        self.validators = usable_validators(settings.validators, task)
        # The validators' examples of each domain: one draw, the same at every evaluation.
        self.probes = {
            role: fixed_draw(getattr(task, role).train, settings.validation_samples, seed) for role in ("source", "target")
        }
        self.state = FitState()

    def fit(self) -> FitState:
        resumed = self.resume_if_possible()
        self._wall_mark = self._train_mark = time.perf_counter()
        self.method.before_fit(self.task)
        if not resumed and not self.world.is_main:
            seed_everything(process_seed(self.seed, self.world.rank))
        if not self.method.trains_by_gradient:
            return self._fit_without_steps()
        total = self.settings.iterations
        with training_progress(self.settings.progress and self.world.is_main) as progress:
            bar = progress.add_task(
                self.task.name, total=total, completed=self.state.iteration, loss="-",
                accuracy=self._latest_accuracy(),
            )
            self._train_mark = time.perf_counter()
            while self.state.iteration < total:
                losses = self.train_step()
                self.state.iteration += 1
                iteration = self.state.iteration
                if iteration % self.settings.log_every == 0 or iteration == total:
                    self.record_losses(losses)
                    progress.update(bar, completed=iteration, loss=f"{self._total_loss():.4f}")
                if iteration % self.settings.eval_every == 0 or iteration == total:
                    self._pause_training_clock()
                    self.evaluate()
                    progress.update(bar, accuracy=self._latest_accuracy())
                    self._train_mark = time.perf_counter()
                if iteration % self.settings.checkpoint_every == 0 or iteration == total:
                    self._pause_training_clock()
                    self._advance_wall_clock()
                    self.save_checkpoint()
                    self._train_mark = time.perf_counter()
        return self.state

    def _fit_without_steps(self) -> FitState:
        """The losses on one batch, one evaluation and a checkpoint of a method fitted in
        ``before_fit`` (its fitting time is the training time)."""
        if not self.state.history:
            with torch.no_grad():
                self.record_losses(self.batch_losses())
            self._pause_training_clock()
            self.evaluate()
            self._advance_wall_clock()
            self.save_checkpoint()
        return self.state

    def _pause_training_clock(self) -> None:
        if self.task.source.train.inputs.is_cuda:
            torch.cuda.synchronize()
        now = time.perf_counter()
        self.state.train_seconds += now - self._train_mark
        self._train_mark = now

    def _advance_wall_clock(self) -> None:
        now = time.perf_counter()
        self.state.wall_seconds += now - self._wall_mark
        self._wall_mark = now

    def batch_losses(self) -> dict[str, torch.Tensor]:
        """The method's losses on the next source and target training batches."""
        source_inputs, source_labels = next(self.source)
        target_inputs, target_labels = next(self.target)
        if not self.method.uses_target_labels:
            target_labels = None
        return self.step_module(
            Batch(self.task.train_inputs(source_inputs), source_labels),
            Batch(self.task.train_inputs(target_inputs), target_labels),
            progress=self.state.iteration / self.settings.iterations,
            **({"related": self._related_batches()} if self.related else {}),
        )

    def _related_batches(self) -> dict[str, Batch]:
        """The next labelled training batch of each related task the method trains on."""
        batches = {}
        for name, sampler in self.related.items():
            inputs, labels = next(sampler)
            batches[name] = Batch(self.task.related[name].train_inputs(inputs), labels)
        return batches

    def train_step(self) -> dict[str, torch.Tensor]:
        with self.precision.autocast():
            losses = self.batch_losses()
        self.optimizer.zero_grad(set_to_none=True)
        self.precision.backward(torch.stack([loss.float() for loss in losses.values()]).sum())
        self.precision.step(self.optimizer)
        self.scheduler.step()
        return losses

    def record_losses(self, losses: dict[str, torch.Tensor]) -> None:
        """The losses of the step, averaged over the processes; a loss that is not finite stops the run."""
        values = self.world.mean({name: loss.item() for name, loss in losses.items()})
        for name, value in values.items():
            if not math.isfinite(value):
                raise UserError(
                    f"loss '{name}' became {value} at iteration {self.state.iteration}; "
                    "lower optimizer.lr or the method's loss weights and run again"
                )
        self.state.last_losses = values
        self.logger.log({f"loss/{name}": value for name, value in values.items()}, self.state.iteration)

    def evaluate(self) -> None:
        """Accuracy on each domain's test split, the source's first, then on each related task's
        target test split in its own label space (``<name>_acc``, or ``<name>_mae`` for a
        regression task), then on the task's named evaluations and its summary of them (a
        zero-shot task's ``seen_acc``, ``unseen_acc``, ``harmonic_acc``): ``before_eval`` prepares the
        method for each in turn, so every accuracy means the same for every method."""
        evidence: dict[str, Outputs] = {}
        source_acc = self._domain_accuracy("source", evidence)
        record = {
            "iteration": self.state.iteration,
            "target_acc": self._domain_accuracy("target", evidence),
            "source_acc": source_acc,
            **dict(self._related_metric(name) for name in self.task.related),
            **{f"{name}_acc": self._named_accuracy(name) for name in self.task.evaluations},
        }
        if self.task.summary is not None:
            record |= self.task.summary(record)
        record["validators"] = self._scores(evidence)
        record["losses"] = dict(self.state.last_losses)
        self.state.history.append(record)
        metrics = {tuple(key.rsplit("_", 1)): value for key, value in record.items() if key.endswith(METRICS)}
        log.info(
            "iteration %d/%d: %s, validators %s, losses %s", record["iteration"], self.settings.iterations,
            ", ".join(f"{name} {kind} {value:.2f}" for (name, kind), value in metrics.items()),
            " ".join(f"{name}={value:.4f}" for name, value in record["validators"].items()) or "none",
            " ".join(f"{name}={value:.4f}" for name, value in record["losses"].items()),
        )
        scores = {f"validator/{name}": value for name, value in record["validators"].items()}
        self.logger.log({f"{kind}/{name}": value for (name, kind), value in metrics.items()} | scores, self.state.iteration)

    def _domain_accuracy(self, role: str, evidence: dict[str, Outputs]) -> float:
        """Accuracy on the ``role`` domain's test split; with the method prepared for that
        domain, its outputs on the domain's validator sample (and source validation split) go
        into ``evidence``."""
        domain = getattr(self.task, role)
        self.method.before_eval(role, domain.train, self.task.eval_inputs)
        if self.validators:
            size, prepare = self.settings.eval_batch_size, self.task.eval_inputs
            evidence[role] = embeddings(self.method, self.probes[role], prepare, size, labelled=False)
            if domain.val is not None:
                evidence[f"{role}_val"] = embeddings(self.method, domain.val, prepare, size, labelled=True)
        return accuracy(
            self.method, domain.test, self.task.eval_inputs, self.settings.eval_batch_size,
            candidates=self.task.candidates.get(role),
        )

    def _scores(self, evidence: dict[str, Outputs]) -> dict[str, float]:
        """Each usable validator's score of the network whose outputs ``evidence`` holds."""
        if not self.validators:
            return {}
        seen = Evidence(evidence["target"], evidence["source"], evidence.get("source_val"))
        return {name: validator(seen) for name, validator in self.validators.items()}

    def _named_accuracy(self, name: str) -> float:
        """A further test split of the task's own label space, among all its classes."""
        self.method.before_eval(name, self.task.target.train, self.task.eval_inputs)
        return accuracy(self.method, self.task.evaluations[name], self.task.eval_inputs, self.settings.eval_batch_size)

    def _related_metric(self, name: str) -> tuple[str, float]:
        """``(<name>_acc, accuracy)``, or ``(<name>_mae, mean absolute error)`` for a regression task."""
        task = self.task.related[name]
        self.method.before_eval(name, task.target.train, task.eval_inputs)
        test, prepare, size = task.target.test, task.eval_inputs, self.settings.eval_batch_size
        measure = mean_absolute_error if task.regression else accuracy
        return f"{name}_{task.metric}", measure(self.method, test, prepare, size, name)

    def save_checkpoint(self) -> None:
        """Process 0 writes what resuming needs, with every process's random state."""
        processes_rng = self.world.gather(rng_state())
        if not self.world.is_main:
            return
        save_torch(
            self.checkpoint_path,
            {
                "config_digest": self.config_digest,
                "provenance": self.method.provenance(),
                "fit_state": asdict(self.state),
                "method": self.method.state_dict(),
                "optimizer": self.optimizer.state_dict() if self.optimizer else None,
                "scheduler": self.scheduler.state_dict() if self.scheduler else None,
                "grad_scaler": self.precision.state_dict(),
                "source_sampler": self.source.state_dict(),
                "target_sampler": self.target.state_dict(),
                "related_samplers": {name: sampler.state_dict() for name, sampler in self.related.items()},
                "rng": processes_rng[0],
                "processes": len(processes_rng),
                "other_processes_rng": processes_rng[1:],
            },
        )

    def resume_if_possible(self) -> bool:
        """Continue from the checkpoint when there is one; whether there was."""
        if not self.checkpoint_path.is_file():
            return False
        checkpoint = load_torch(
            self.checkpoint_path, str(self.checkpoint_path),
            "; delete it to start this run over, or set trainer.resume=false",
        )
        if checkpoint.get("config_digest") != self.config_digest:
            raise UserError(
                f"{self.checkpoint_path} belongs to a run with a different config; "
                "use a new output dir or trainer.resume=false to start over"
            )
        if checkpoint.get("provenance", {}) != self.method.provenance():
            raise UserError(
                f"{self.checkpoint_path} was trained from other networks than the ones now at "
                f"{_runs(self.method.provenance())} (they were trained again or replaced); "
                "use a new output dir or trainer.resume=false to start over"
            )
        processes = checkpoint.get("processes", 1)
        if processes != self.world.size:
            raise UserError(
                f"{self.checkpoint_path} was written by a run of {processes} process(es); resume it with "
                f"trainer.processes={processes} (or torchrun --nproc_per_node={processes}), or start over "
                "with trainer.resume=false"
            )
        self.state = FitState(**checkpoint["fit_state"])
        self.method.load_state_dict(checkpoint["method"])
        if self.optimizer:
            self.optimizer.load_state_dict(checkpoint["optimizer"])
            self.scheduler.load_state_dict(checkpoint["scheduler"])
            self.precision.load_state_dict(checkpoint.get("grad_scaler"))
        self.source.load_state_dict(checkpoint["source_sampler"])
        self.target.load_state_dict(checkpoint["target_sampler"])
        for name, sampler in self.related.items():
            sampler.load_state_dict(checkpoint["related_samplers"][name])
        restore_rng_state(([checkpoint["rng"]] + checkpoint.get("other_processes_rng", []))[self.world.rank])
        log.info("resumed from iteration %d (%s)", self.state.iteration, self.checkpoint_path)
        return True

    def _total_loss(self) -> float:
        return sum(self.state.last_losses.values())

    def _latest_accuracy(self) -> str:
        return f"{self.state.history[-1]['target_acc']:.2f}" if self.state.history else "-"


def usable_validators(names: list[str], task: Task) -> dict[str, Validator]:
    """The validators ``names`` asks for, by name, but those that need a source validation split
    when ``task`` holds none out (said once in the log)."""
    validators = {name: VALIDATORS.get(name, "trainer.validators")() for name in names}
    skipped = [name for name, validator in validators.items() if validator.needs_source_val and task.source.val is None]
    if skipped:
        log.info(
            "task %s has no source validation split (set dataset.source_val to hold one out): skipping %s",
            task.name, ", ".join(skipped),
        )
    return {name: validator for name, validator in validators.items() if name not in skipped}


def _runs(provenance: dict[str, Any]) -> str:
    return ", ".join(f"{name}={network.get('run')}" for name, network in provenance.items()) or "none"
