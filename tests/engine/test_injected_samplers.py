"""The Trainer trains from, checkpoints and resumes batch sources handed to it."""

from pathlib import Path
from typing import Any

import pytest
import torch

from tests.conftest import Killed
from transferbench.data import InfiniteSampler, Split, Task
from transferbench.engine.loop import Trainer
from transferbench.experiment import Experiment

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
    """A moons run built as ``transferbench.experiment.run`` builds it; ``samplers(task)`` if given."""
    return Experiment.build(cfg).trainer(checkpoint, samplers=samplers)


def test_injected_samplers_drawing_the_default_batches_give_the_default_numbers(make_config, tmp_path):
    cfg = make_config("trainer.iterations=30", *SHORT)
    default = trainer(cfg, tmp_path / "a.pt").fit()
    injected = trainer(cfg, tmp_path / "b.pt", counting).fit()
    assert injected.history == default.history


def test_injected_samplers_are_checkpointed_and_resumed(make_config, tmp_path, kill_after_checkpoint):
    checkpoint = tmp_path / "checkpoint.pt"
    cfg = make_config("trainer.iterations=30", *SHORT)
    first = trainer(cfg, checkpoint, counting)
    kill_after_checkpoint(2)
    with pytest.raises(Killed):
        first.fit()
    assert first.source.drawn == first.target.drawn == 20
    assert torch.load(checkpoint, weights_only=True)["target_sampler"]["drawn"] == 20

    resumed = trainer(cfg, checkpoint, counting)
    resumed.fit()
    assert resumed.source.drawn == resumed.target.drawn == 30
    assert torch.load(checkpoint, weights_only=True)["source_sampler"]["drawn"] == 30
