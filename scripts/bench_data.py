"""Training throughput of transferbench's on-device input path versus a standard DataLoader pipeline.

    python scripts/bench_data.py --iterations 300 --device cuda --out bench.json [overrides ...]

Trains the same run twice from the same seed (default: dataset=mnist_usps method=dann with the
task's backbone; extra arguments are Hydra overrides, e.g. dataset=moons seed=3):

  on-device   as `python -m transferbench` does: the whole task on the device, one
              InfiniteSampler per domain, normalisation per batch on the device;
  DataLoader  a torch Dataset over the raw uint8 images converted and normalised per sample with
              torchvision.transforms.v2 (ToDtype, Normalize), DataLoader with shuffle, drop_last,
              --num-workers persistent workers and pinned memory on CUDA, batches moved each step.

Prints training images/s (source + target images per step; evaluation, checkpoints and worker
start-up not timed), their ratio, and each run's final target accuracy: the batch orders differ,
so the accuracies agree only within seed noise. --out also writes the numbers as JSON.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

import torch
from omegaconf import DictConfig
from rich.console import Console
from rich.table import Table
from torch.utils.data import DataLoader, Dataset
from torchvision.transforms import v2

from transferbench.config import compose_config
from transferbench.data import Split, Task
from transferbench.engine.loop import BatchSource
from transferbench.engine.results import environment
from transferbench.errors import UserError
from transferbench.experiment import Experiment, Samplers, choose_device
from transferbench.files import write_json
from transferbench.layout import CHECKPOINT_FILE

DEFAULTS = ["dataset=mnist_usps", "method=dann"]


class RawImages(Dataset):
    """One training split read one example at a time, converted on the CPU by ``transform``."""

    def __init__(self, split: Split, transform: Callable[[torch.Tensor], torch.Tensor]) -> None:
        self.split, self.transform = split, transform

    def __len__(self) -> int:
        return len(self.split)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.transform(self.split.inputs[index]), self.split.labels[index]


class LoaderSource:
    """Endless batches of a seeded DataLoader, moved to ``device``; a new epoch starts when one ends.

    The state is the number of batches drawn; loading it replays them from the seed, which
    reproduces the loader's order exactly (slow, but the benchmark never resumes).
    """

    def __init__(self, loader: DataLoader, seed: int, device: torch.device) -> None:
        self.loader, self.seed, self.device = loader, seed, device
        self.load_state_dict({"batches": 0})

    def __next__(self) -> tuple[torch.Tensor, torch.Tensor]:
        try:
            inputs, labels = next(self.iterator)
        except StopIteration:
            self.iterator = iter(self.loader)
            inputs, labels = next(self.iterator)
        self.batches += 1
        return inputs.to(self.device, non_blocking=True), labels.to(self.device, non_blocking=True)

    def state_dict(self) -> dict[str, Any]:
        return {"batches": self.batches}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.loader.generator.manual_seed(self.seed)
        self.iterator, self.batches = iter(self.loader), 0
        for _ in range(state["batches"]):
            next(self)


def per_sample_transform(split: Split, cfg: DictConfig) -> Callable[[torch.Tensor], torch.Tensor]:
    """uint8 image → float in [0, 1] → ``(x − mean) / std``, as ``Task.normalize`` does per batch."""
    if split.inputs.dtype != torch.uint8:
        return v2.Identity()
    steps: list[Callable] = [v2.ToDtype(torch.float32, scale=True)]
    if cfg.dataset.get("mean") is not None:
        steps.append(v2.Normalize(list(cfg.dataset.mean), list(cfg.dataset.std)))
    return v2.Compose(steps)


def loader_samplers(cfg: DictConfig, num_workers: int) -> Samplers:
    """The DataLoader pipeline over a CPU copy of the task's training splits, seeded as the
    on-device one."""

    def build(task: Task) -> tuple[BatchSource, BatchSource]:
        device, cpu_task = task.source.train.inputs.device, task.to("cpu")
        sources = []
        for offset, split in enumerate((cpu_task.source.train, cpu_task.target.train)):
            seed = cfg.seed + offset
            loader = DataLoader(
                RawImages(split, per_sample_transform(split, cfg)), batch_size=cfg.trainer.batch_size,
                shuffle=True, drop_last=True, num_workers=num_workers, pin_memory=device.type == "cuda",
                persistent_workers=num_workers > 0, generator=torch.Generator().manual_seed(seed),
            )
            sources.append(LoaderSource(loader, seed, device))
        return sources[0], sources[1]

    return build


def train_once(cfg: DictConfig, samplers: Samplers | None) -> dict[str, float]:
    """One run as ``python -m transferbench`` builds it, in a throw-away folder; its throughput
    and final accuracies."""
    experiment = Experiment.build(cfg)
    with tempfile.TemporaryDirectory() as folder:
        trainer = experiment.trainer(Path(folder) / CHECKPOINT_FILE, samplers=samplers)
        state = trainer.fit()
    images = state.iteration * 2 * trainer.settings.batch_size
    return {
        "images_per_s": round(images / state.train_seconds, 1),
        "train_s": round(state.train_seconds, 3),
        "target_acc": state.history[-1]["target_acc"],
        "source_acc": state.history[-1]["source_acc"],
    }


def bench_config(overrides: list[str], iterations: int, device: str) -> DictConfig:
    """``transferbench/conf/config.yaml`` with the defaults, the user's overrides, and one
    evaluation at the end."""
    fixed = [
        f"trainer.iterations={iterations}", f"trainer.eval_every={iterations}",
        f"trainer.checkpoint_every={iterations}", f"trainer.device={device}", "trainer.progress=false",
    ]
    cfg = compose_config(*DEFAULTS, *overrides, *fixed)
    if cfg.dataset.get("augment"):
        raise UserError(
            f"dataset={cfg.dataset.name} augments its images; compare the pipelines on a task without augment"
        )
    return cfg


def benchmark(cfg: DictConfig, num_workers: int) -> dict[str, Any]:
    """Both pipelines on one task; the numbers and what produced them."""
    on_device = train_once(cfg, None)
    loader = train_once(cfg, loader_samplers(cfg, num_workers))
    return {
        "task": cfg.dataset.name, "method": cfg.method.name, "backbone": cfg.backbone.name,
        "seed": cfg.seed, "iterations": cfg.trainer.iterations,
        "images_per_step": 2 * cfg.trainer.batch_size, "device": cfg.trainer.device,
        "num_workers": num_workers, "on_device": on_device, "dataloader": loader,
        "speedup": round(on_device["images_per_s"] / loader["images_per_s"], 2),
        "environment": environment(),
    }


def report(result: dict[str, Any]) -> Table:
    table = Table(
        title=f"{result['method']} on {result['task']} ({result['backbone']}), {result['iterations']} "
        f"iterations × {result['images_per_step']} images, seed {result['seed']}, {result['device']}",
        caption=f"on-device / DataLoader: {result['speedup']:.2f}× images/s",
    )
    for column in ("input pipeline", "images/s", "train s", "target acc", "source acc"):
        table.add_column(column, justify="left" if column == "input pipeline" else "right")
    rows = {"on-device": "on_device", f"DataLoader, {result['num_workers']} workers": "dataloader"}
    for name, key in rows.items():
        numbers = result[key]
        table.add_row(
            name, f"{numbers['images_per_s']:,.0f}", f"{numbers['train_s']:.2f}",
            f"{numbers['target_acc']:.2f}", f"{numbers['source_acc']:.2f}",
        )
    return table


def positive_int(text: str) -> int:
    value = int(text) if text.isdigit() else 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def non_negative_int(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {text!r}")
    return int(text)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("overrides", nargs="*", help="Hydra overrides, after dataset=mnist_usps method=dann")
    parser.add_argument("--iterations", type=positive_int, default=300, help="training steps per pipeline")
    parser.add_argument("--device", default="auto", help="auto (cuda when available), cpu or cuda[:N]")
    parser.add_argument("--num-workers", type=non_negative_int, default=2, help="DataLoader worker processes")
    parser.add_argument("--out", type=Path, help="also write the numbers to this JSON file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console()
    try:
        cfg = bench_config(args.overrides, args.iterations, str(choose_device(args.device)))
        result = benchmark(cfg, args.num_workers)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    console.print(report(result))
    if args.out:
        write_json(args.out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
