"""Endless shuffled mini-batches drawn from tensors that already sit on the training device.

The literature trains by iterations over paired source/target batches, so each domain gets an
infinite sampler: a fresh permutation per epoch, the last incomplete batch dropped; a split smaller
than one batch is drawn whole. The
permutation comes from a private CPU generator whose state is checkpointed, so a resumed run
draws exactly the batches an uninterrupted one would.
"""

from __future__ import annotations

from typing import Any

import torch

from transferbench.data.domain import Split
from transferbench.errors import UserError


class InfiniteSampler:
    """Batches of ``batch_size`` examples, or of the whole split, shuffled, when it is smaller (a
    few labelled examples per class: every step then sees each of them once)."""

    def __init__(self, split: Split, batch_size: int, seed: int) -> None:
        if len(split) == 0:
            raise UserError("a training split is empty; check the dataset's files and options")
        self.split = split
        self.batch_size = min(batch_size, len(split))
        self.generator = torch.Generator().manual_seed(seed)
        self.order = torch.randperm(len(split), generator=self.generator)
        self.position = 0

    def __iter__(self) -> "InfiniteSampler":
        return self

    def __next__(self) -> tuple[torch.Tensor, torch.Tensor]:
        if self.position + self.batch_size > len(self.order):
            self.order = torch.randperm(len(self.split), generator=self.generator)
            self.position = 0
        index = self.order[self.position : self.position + self.batch_size]
        self.position += self.batch_size
        index = index.to(self.split.labels.device)
        return self.split.inputs[index], self.split.labels[index]

    def state_dict(self) -> dict[str, Any]:
        return {"generator": self.generator.get_state(), "order": self.order, "position": self.position}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.generator.set_state(state["generator"])
        self.order = state["order"]
        self.position = state["position"]
