"""The Trainer trains from, checkpoints and resumes batch sources handed to it."""

from pathlib import Path
from typing import Any

import torch

from transferbench.data import InfiniteSampler, Split, Task, build_task
from transferbench.engine.loggers import NullLogger
from transferbench.engine.loop import Trainer
from transferbench.engine.seeding import seed_everything
from transferbench.methods import build_method
from transferbench.models import build_model
from transferbench.train import build_optimizer, build_scheduler, fit_settings

BATCH = 32
SHORT = ["trainer.eval_every=10", "trainer.checkpoint_every=10", f"trainer.batch_size={BATCH}", "seed=0"]


class Counting:
    """An ``InfiniteSampler`` that also counts its batches, in its state too."""

    def __init__(self, split: Split, batch_size: int, seed: int) -> None:
        self.sampler, self.drawn = InfiniteSampler(split, batch_size, seed), 0

    def __next__(self) -> tuple[torch.Tensor, torch.Tensor]:
        self.drawn += 1
        return next(self.sampler)

    def state_dict(self) -> dict[str, Any]:
        return {"sampler": self.sampler.state_dict(), "drawn": self.drawn}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.sampler.load_state_dict(state["sampler"])
        self.drawn = state["drawn"]


def counting(task: Task) -> tuple[Counting, Counting]:
    """Seeded as the Trainer seeds its default pair for ``seed=0``."""
    return Counting(task.source.train, BATCH, seed=0), Counting(task.target.train, BATCH, seed=1)


def trainer(cfg, checkpoint: Path, samplers=None) -> Trainer:
    """A moons run built as ``transferbench.train.run`` builds it; ``samplers(task)`` if given."""
    seed_everything(cfg.seed)
    task = build_task(cfg.dataset, Path(cfg.data.root), download=False)
    method = build_method(cfg.method, build_model(cfg.backbone, task.input_shape, task.num_classes))
    settings = fit_settings(cfg.trainer)
    optimizer = build_optimizer(cfg.optimizer, method)
    scheduler = build_scheduler(cfg.scheduler, optimizer, settings.iterations)
    return Trainer(
        method, task, optimizer, scheduler, settings, checkpoint, NullLogger(), seed=cfg.seed,
        config_digest="test", samplers=samplers(task) if samplers else None,
    )


def test_injected_samplers_drawing_the_default_batches_give_the_default_numbers(make_config, tmp_path):
    cfg = make_config("trainer.iterations=30", *SHORT)
    default = trainer(cfg, tmp_path / "a.pt").fit()
    injected = trainer(cfg, tmp_path / "b.pt", counting).fit()
    assert injected.history == default.history


def test_injected_samplers_are_checkpointed_and_resumed(make_config, tmp_path):
    checkpoint = tmp_path / "checkpoint.pt"
    first = trainer(make_config("trainer.iterations=20", *SHORT), checkpoint, counting)
    first.fit()
    assert first.source.drawn == first.target.drawn == 20
    assert torch.load(checkpoint, weights_only=True)["target_sampler"]["drawn"] == 20

    resumed = trainer(make_config("trainer.iterations=30", *SHORT), checkpoint, counting)
    resumed.fit()
    assert resumed.source.drawn == resumed.target.drawn == 30
    assert torch.load(checkpoint, weights_only=True)["source_sampler"]["drawn"] == 30
