"""transferbench's training overhead: the engine vs. a minimal hand-written PyTorch loop.

    OMP_NUM_THREADS=1 python scripts/bench_overhead.py --dataset mnist_usps --iterations 300

Both train the same network (the task's registry backbone + bottleneck + head, same seed and
initial weights) with plain source-only SGD on the same on-device uint8 data, batch size and
number of iterations. The hand loop draws batches with torch.randperm, normalises, runs forward,
cross-entropy, backward and step; the engine runs ``method=source_only`` through
``transferbench.train.run`` with one evaluation, at the end, which its training clock
(``FitState.train_seconds``) leaves out. Repeats alternate the two; the medians are compared.
The goal is an engine within 10% of the hand loop. Tasks with training augmentation (Office-31)
are refused: the hand loop has none.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from omegaconf import DictConfig
from rich.console import Console
from rich.table import Table

from transferbench.config import compose_config
from transferbench.data import build_task
from transferbench.engine.seeding import resolve_device, seed_everything
from transferbench.errors import UserError
from transferbench.files import write_json
from transferbench.models import build_model
from transferbench.experiment import run

GOAL = 1.10


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="mnist_usps", help="a transferbench/conf/dataset choice (default: %(default)s)")
    parser.add_argument("--iterations", type=int, default=300, help="timed iterations (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=1, help="alternating measurements of each (default: 1)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed hand-loop iterations first (default: 20)")
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda (default: %(default)s)")
    parser.add_argument("--out", type=Path, help="write the measurements to this JSON file")
    parser.add_argument("overrides", nargs="*", help="further config overrides, e.g. trainer.batch_size=64")
    args = parser.parse_args(argv)
    if min(args.iterations, args.repeats) < 1 or args.warmup < 0:
        print("error: --iterations and --repeats must be positive, --warmup not negative", file=sys.stderr)
        return 2
    try:
        report = measure(args)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    Console().print(summary(report))
    if args.out:
        write_json(args.out, report)
    return 0


def bench_config(args: argparse.Namespace) -> DictConfig:
    """The engine's run: source-only on the task's protocol, evaluated only after the last step."""
    overrides = [
        f"dataset={args.dataset}", "method=source_only", f"trainer.iterations={args.iterations}",
        f"trainer.eval_every={args.iterations}", f"trainer.device={args.device}", "trainer.progress=false",
        "logger=none", *args.overrides,
    ]
    return compose_config(*overrides)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    cfg = bench_config(args)
    if cfg.dataset.get("augment"):
        raise UserError(f"dataset {args.dataset} augments its training batches; pick a task without augment")
    device = resolve_device(cfg.trainer.device)
    if args.warmup:
        hand_loop(cfg, device, args.warmup)
    hand, engine = [], []
    for _ in range(args.repeats):
        hand.append(hand_loop(cfg, device, args.iterations))
        engine.append(engine_loop(cfg))
    ratio = statistics.median(engine) / statistics.median(hand)
    return {
        "dataset": cfg.dataset.name, "iterations": args.iterations, "batch_size": cfg.trainer.batch_size,
        "backbone": cfg.backbone.name, "device": str(device), "torch_threads": torch.get_num_threads(),
        "load_average_1min": os.getloadavg()[0], "hand_seconds": hand, "engine_seconds": engine,
        "hand_median_s": statistics.median(hand), "engine_median_s": statistics.median(engine),
        "ratio": ratio, "within_goal": ratio <= GOAL,
    }


def hand_loop(cfg: DictConfig, device: torch.device, iterations: int) -> float:
    """Seconds for ``iterations`` steps of the plainest source-only loop on the same model and data."""
    seed_everything(cfg.seed)
    source = build_task(cfg.dataset, Path(cfg.data.root), cfg.data.download).to(device).source.train
    model = build_model(cfg.backbone, tuple(source.inputs.shape[1:]), cfg.dataset.num_classes).to(device)
    optimizer = torch.optim.SGD(
        model.parameters(), lr=cfg.optimizer.lr, momentum=cfg.optimizer.momentum,
        weight_decay=cfg.optimizer.weight_decay, nesterov=cfg.optimizer.nesterov,
    )
    mean, std = (_channels(cfg.dataset.get(key), device) for key in ("mean", "std"))
    batch, count = cfg.trainer.batch_size, len(source.labels)
    order, position = torch.randperm(count, device=device), 0
    model.train()
    _synchronize(device)
    start = time.perf_counter()
    for _ in range(iterations):
        if position + batch > count:
            order, position = torch.randperm(count, device=device), 0
        index = order[position : position + batch]
        position += batch
        inputs = source.inputs[index]
        if inputs.dtype == torch.uint8:
            inputs = inputs.float() / 255.0
            inputs = inputs if mean is None else (inputs - mean) / std
        loss = F.cross_entropy(model(inputs).logits, source.labels[index])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    _synchronize(device)
    return time.perf_counter() - start


def engine_loop(cfg: DictConfig) -> float:
    """transferbench's training seconds for the same run (evaluation and checkpoint excluded)."""
    with tempfile.TemporaryDirectory(prefix="bench_overhead_") as run_dir:
        return run(cfg, Path(run_dir))["train_time_s"]


def _channels(values: Any, device: torch.device) -> torch.Tensor | None:
    return None if values is None else torch.tensor(list(values), device=device).view(1, -1, 1, 1)


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def summary(report: dict[str, Any]) -> Table:
    images = report["iterations"] * report["batch_size"]
    title = (
        f"{report['dataset']}, {report['backbone']}, batch {report['batch_size']}, "
        f"{report['iterations']} iterations, {report['device']}, {report['torch_threads']} thread(s), load {report['load_average_1min']:.2f}"
    )
    table = Table(title=title)
    for name in ("loop", "median s", "min s", "ms / iteration", "source images / s"):
        table.add_column(name, no_wrap=True)
    for name, key in (("hand-written PyTorch", "hand"), ("transferbench engine", "engine")):
        median, fastest = report[f"{key}_median_s"], min(report[f"{key}_seconds"])
        per_iteration = 1000 * median / report["iterations"]
        rate = images / median
        table.add_row(name, f"{median:.2f}", f"{fastest:.2f}", f"{per_iteration:.1f}", f"{rate:.0f}")
    verdict = "within" if report["within_goal"] else "outside"
    table.caption = f"engine / hand = {report['ratio']:.3f} ({verdict} the {GOAL:.2f} goal)"
    return table


if __name__ == "__main__":
    sys.exit(main())
