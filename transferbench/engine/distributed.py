"""Data-parallel runs over several processes (``trainer.processes=N`` or ``torchrun
--nproc_per_node=N -m transferbench ...``) with PyTorch's DistributedDataParallel (Li et al.,
"PyTorch Distributed", VLDB 2020).

Every process holds the whole task and a replica of the method. Each step every process draws
the same global batch from identical samplers and trains on its 1/N of the rows; DDP averages
the gradients, so with losses that are means over rows the step is the one-process step on the
global batch, and losses over the whole batch (MMD, JMMD, CORAL) gather every process's rows to
stay so (``losses/distributed.py``). BatchNorm's batch statistics are each process's own; random
augmentation and dropout draw from each process's own generator. Every process evaluates (the
same numbers); process 0 alone holds the run folder and writes the checkpoint, ``results.json``
and the logs. One process is the plain run: every operation here is then the identity.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

import torch
import torch.distributed as dist
from torch import nn

from transferbench.errors import UserError

T = TypeVar("T")
NO_SWEEP = (
    "torchrun trains one run over several processes, not a sweep (-m); sweep with "
    "trainer.processes=N instead, which starts each run's processes itself"
)
#: torchrun's environment: the process count, and this process's rank on its machine.
WORLD_SIZE, LOCAL_RANK = "WORLD_SIZE", "LOCAL_RANK"


class ReportedByMain(UserError):
    """Process 0's error, raised on another process too: process 0 reports it."""


@dataclass(frozen=True)
class World:
    """The processes that train one run together; ``rank`` 0 is the one that writes."""

    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def share_of(self, rows: int) -> int:
        """How many of ``rows`` rows of a global batch each process takes: an equal share."""
        if rows % self.size:
            raise UserError(
                f"a training batch of {rows} rows does not split evenly over {self.size} processes; "
                f"set trainer.batch_size to a multiple of {self.size}"
            )
        return rows // self.size

    def rows(self, batch: torch.Tensor) -> torch.Tensor:
        """This process's share of a global batch: rows ``rank·n/N`` to ``(rank+1)·n/N``."""
        if self.size == 1:
            return batch
        share = self.share_of(len(batch))
        return batch[self.rank * share : (self.rank + 1) * share]

    def share(self, source: Any) -> Any:
        """A batch source (``BatchSource``) that yields this process's rows of each global batch."""
        return source if self.size == 1 else ProcessShare(source, self)

    def mean(self, values: dict[str, float]) -> dict[str, float]:
        """Each value averaged over the processes (the losses of the global batch)."""
        if self.size == 1 or not values:
            return values
        stacked = torch.tensor(list(values.values()), dtype=torch.float64)
        dist.all_reduce(stacked)
        return dict(zip(values, (stacked / self.size).tolist()))

    def gather(self, value: T) -> list[T]:
        """Every process's ``value``, by rank."""
        if self.size == 1:
            return [value]
        gathered: list[Any] = [None] * self.size
        dist.all_gather_object(gathered, value)
        return gathered

    def from_main(self, value: T) -> T:
        """Process 0's ``value``, on every process."""
        if self.size == 1:
            return value
        box = [value]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    def decided_by_main(self, decide: Callable[[], T]) -> T:
        """``decide()`` run by process 0 alone (e.g. on the run folder), its result or its
        ``UserError`` handed to every process; the others wait for it."""
        if self.size == 1:
            return decide()
        outcome: tuple[str, Any] = ("", None)
        if self.is_main:
            try:
                outcome = ("value", decide())
            except UserError as error:
                outcome = ("error", str(error))
        kind, payload = self.from_main(outcome)
        if kind == "error":
            raise (UserError if self.is_main else ReportedByMain)(payload)
        return payload

    def replicated(self, module: nn.Module, device: torch.device) -> nn.Module:
        """``module`` wrapped to average its gradients over the processes at backward (DDP), its
        parameters and buffers first made process 0's; ``module`` itself when alone. Parameters a
        step leaves unused (a head of another task) are allowed."""
        if self.size == 1:
            return module
        device_ids = [device.index] if device.type == "cuda" else None
        return nn.parallel.DistributedDataParallel(module, device_ids=device_ids, find_unused_parameters=True)

    def device(self, device: torch.device) -> torch.device:
        """A CUDA device without an index becomes this process's GPU (``LOCAL_RANK``); one with
        an index, or a GPU this machine lacks, is an error when there are several processes."""
        if device.type != "cuda" or self.size == 1:
            return device
        if device.index is not None:
            raise UserError(
                f"trainer.device={device} would put every process on one GPU; use trainer.device=cuda "
                "(each process its own GPU), and CUDA_VISIBLE_DEVICES to choose the GPUs"
            )
        if self.local_rank >= torch.cuda.device_count():
            raise UserError(
                f"process {self.rank} needs GPU {self.local_rank}, but this machine has "
                f"{torch.cuda.device_count()}; start at most that many processes per machine"
            )
        torch.cuda.set_device(self.local_rank)
        return torch.device("cuda", self.local_rank)


def started_by_torchrun() -> bool:
    return int(os.environ.get(WORLD_SIZE, "1")) > 1


def current_world() -> World:
    """This process's place among the processes torchrun (or ``trainer.processes``) started,
    from their environment, joining their process group on first use (gloo for CPU tensors, NCCL
    for CUDA ones where available, each process on its own GPU); one process otherwise."""
    if not started_by_torchrun():
        return World()
    local_rank = int(os.environ.get(LOCAL_RANK, "0"))
    if not dist.is_initialized():
        if local_rank < torch.cuda.device_count():
            torch.cuda.set_device(local_rank)
        dist.init_process_group()
    return World(dist.get_rank(), dist.get_world_size(), local_rank)


class ProcessShare:
    """A batch source's rows for this process: every process draws the same global batch from
    an identical source (same seed, same checkpointed state) and keeps its share."""

    def __init__(self, source: Any, world: World) -> None:
        self.source, self.world = source, world

    def __iter__(self) -> "ProcessShare":
        return self

    def __next__(self) -> tuple[torch.Tensor, torch.Tensor]:
        inputs, labels = next(self.source)
        return self.world.rows(inputs), self.world.rows(labels)

    def state_dict(self) -> dict[str, Any]:
        return self.source.state_dict()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.source.load_state_dict(state)
