"""The GPU benchmark in one command: training throughput in fp32 and mixed precision, and the
time of the digits table with several runs per GPU. Writes a Markdown table.

    python scripts/bench_gpu.py --out bench_gpu.md                     # everything, on the GPU
    python scripts/bench_gpu.py --device cpu --iterations 5 --no-preset   # the CPU figures

(a) Training images/s (source + target images per step, evaluation excluded) of DANN on
    - digits: the MNIST→USPS protocol (LeNet, 128 + 128 images of 28×28); needs MNIST and USPS
      under data.root (or $TRANSFERBENCH_DATA);
    - Office-31 size: ResNet-50 on random 256×256 images cropped to 224 (32 + 32 images), the
      synthetic_office31 task: no data and no download (random initial weights);
    each in fp32 and mixed precision (bf16 where the device supports it, else fp16), and with
    --compile also mixed precision with torch.compile (its compilation is outside the clock only
    in so far as --iterations dwarfs it: time at least a few hundred steps).
(b) Wall time of the digits preset's methods × --preset-tasks (mnist_usps, usps_mnist, mnist_mnistm)
    × seeds 0–2 at the tasks' protocol, --preset-jobs runs side by side on the device
    (scripts/bench_sweep.py's timing through the joblib launcher); --preset-iterations shortens
    every run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))  # scripts/ is not a package
from bench_data import train_once  # noqa: E402
from bench_sweep import time_sweep  # noqa: E402

from transferbench.config import compose_config  # noqa: E402
from transferbench.engine.results import environment  # noqa: E402
from transferbench.experiment import choose_device  # noqa: E402

WORKLOADS = {
    "digits": ("digits LeNet DANN (MNIST→USPS, 128+128, 28²)", ["dataset=mnist_usps", "method=dann"]),
    "resnet50": ("ResNet-50 DANN (Office-31 size, 32+32, 224²)", [
        "dataset=synthetic_office31", "method=dann", "backbone.options.pretrained=false",
    ]),
}
PRESET = ["+experiment=digits"]
TASKS = ["mnist_usps", "usps_mnist", "mnist_mnistm"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="auto", help="auto (cuda when available), cuda or cpu")
    parser.add_argument("--iterations", type=int, default=100, help="training steps timed per workload")
    parser.add_argument("--workloads", nargs="+", choices=sorted(WORKLOADS), help="the (a) workloads to time (default: all)")
    parser.add_argument("--compile", action="store_true", help="also time mixed precision with trainer.compile=true")
    parser.add_argument("--no-preset", action="store_true", help="leave out (b), the digits preset's time")
    parser.add_argument("--preset-jobs", type=int, default=4, help="runs side by side for (b) (default: 4)")
    parser.add_argument("--preset-iterations", type=int, help="shorten every run of (b) (default: the protocol)")
    parser.add_argument("--preset-tasks", nargs="+", default=TASKS,
                        help="tasks of (b) (default: %(default)s; MNIST-M needs its archive under data.root)")
    parser.add_argument("--out", type=Path, help="also write the Markdown table here")
    args = parser.parse_args(argv)
    device = str(choose_device(args.device))
    chosen = [WORKLOADS[key] for key in args.workloads or WORKLOADS]
    rows = [throughput(name, overrides, device, args.iterations, args.compile) for name, overrides in chosen]
    markdown = throughput_table(rows, device)
    if not args.no_preset:
        markdown += preset_table(args.preset_tasks, args.preset_jobs, args.preset_iterations)
    print(markdown, end="")
    if args.out:
        args.out.write_text(markdown)
    return 0


def mixed_precision(device: str) -> str:
    """bf16 where the device computes it natively (CPUs, Ampere and later GPUs), else fp16."""
    if device.startswith("cuda") and not torch.cuda.is_bf16_supported():
        return "fp16"
    return "bf16"


def throughput(name: str, overrides: list[str], device: str, iterations: int, compiled: bool) -> dict[str, Any]:
    """Images/s of one workload in fp32, in mixed precision and (``compiled``) in mixed precision
    compiled, one evaluation at the end; by variant name."""
    fixed = [f"trainer.iterations={iterations}", f"trainer.eval_every={iterations}", "trainer.validators=[]",
             f"trainer.device={device}", "trainer.progress=false"]
    mixed = mixed_precision(device)
    variants = {"fp32": [], mixed: [f"trainer.precision={mixed}"]}
    if compiled:
        variants[f"{mixed} + compile"] = [f"trainer.precision={mixed}", "trainer.compile=true"]
    speeds = {
        variant: train_once(compose_config(*overrides, *fixed, *options), None)["images_per_s"]
        for variant, options in variants.items()
    }
    return {"workload": name, "speeds": speeds}


def throughput_table(rows: list[dict[str, Any]], device: str) -> str:
    """One row per workload, one column per variant, each with its speed-up over fp32."""
    versions = environment()["versions"]
    variants = list(rows[0]["speeds"])
    lines = [f"Training images/s on {describe(device)} (torch {versions['torch']}):", "",
             "| workload | " + " | ".join(variants) + " |", "|---" * (len(variants) + 1) + "|"]
    for row in rows:
        fp32 = row["speeds"]["fp32"]
        cells = [f"{fp32:,.0f}"] + [f"{speed:,.0f} ({speed / fp32:.2f}×)" for speed in list(row["speeds"].values())[1:]]
        lines.append(f"| {row['workload']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def preset_table(tasks: list[str], jobs: int, iterations: int | None) -> str:
    """(b): the digits preset on ``tasks``, ``jobs`` runs at once, timed end to end."""
    sweep = [*PRESET, f"dataset={','.join(tasks)}", *([f"trainer.iterations={iterations}"] if iterations else [])]
    with tempfile.TemporaryDirectory(prefix="bench_gpu_") as scratch:
        level = time_sweep(sweep, jobs, Path(scratch) / "digits")
    length = f"{iterations} iterations per run" if iterations else "the tasks' protocol"
    status = f", failed: {'; '.join(level['failed'])}" if level["failed"] else ""
    return (f"\nThe digits preset ({' '.join(sweep)}; {length}): {level['runs']} runs in "
            f"{level['wall_s'] / 60:.1f} min with {jobs} at once ({level['runs_per_hour']:.0f} runs per hour{status}).\n")


def describe(device: str) -> str:
    if device.startswith("cuda"):
        return torch.cuda.get_device_name(torch.device(device))
    return f"CPU ({torch.get_num_threads()} threads)"


if __name__ == "__main__":
    sys.exit(main())
