"""Time one sweep run one job at a time and with several jobs side by side (Hydra's joblib launcher).

    python scripts/bench_sweep.py --jobs 1 2 4 -- method=source_only,dann dataset=mnist_usps seed=0,1

Each concurrency level runs the whole sweep into its own fresh folder through the CLI, as a user
would: ``--jobs 1`` with Hydra's basic launcher and torch's default threads, ``--jobs n`` with
``hydra/launcher=joblib hydra.launcher.n_jobs=n`` and ``trainer.threads`` = cores / n. It reports
the sweep's wall time, runs per hour, the speed-up over the first level, and whether every level
produced the same accuracies (it should: each job keeps its own seed). On one GPU all jobs share
the device; the full digits table's time is then this per-run rate times its 144 runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SWEEP = [
    "method=source_only,dann", "dataset=mnist_usps", "seed=0,1",
    "trainer.iterations=300", "trainer.eval_every=300",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="concurrency levels (default: 1 2)")
    parser.add_argument("--out", type=Path, help="write the measurements to this JSON file")
    parser.add_argument("sweep", nargs="*", help=f"sweep overrides (default: {' '.join(DEFAULT_SWEEP)})")
    args = parser.parse_args(argv)
    if min(args.jobs) < 1:
        print("error: --jobs takes positive integers, e.g. --jobs 1 2 4", file=sys.stderr)
        return 2
    sweep = args.sweep or DEFAULT_SWEEP
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as scratch:
        levels = []
        for jobs in args.jobs:
            level = time_sweep(sweep, jobs, Path(scratch) / f"jobs{jobs}")
            if level["failed"]:
                print(f"error: with {jobs} job(s) the sweep failed: {level['failed']}", file=sys.stderr)
                return 1
            levels.append(level)
    report = {"sweep": sweep, "cpu_cores": os.cpu_count(), "levels": levels,
              "same_accuracies": all(level["accuracies"] == levels[0]["accuracies"] for level in levels)}
    Console().print(summary(report))
    if args.out:
        args.out.write_text(json.dumps(report, indent=2))
    return 0


def launcher_overrides(jobs: int) -> list[str]:
    """Basic launcher for one job; otherwise joblib with the cores split between the jobs."""
    if jobs == 1:
        return []
    threads = max(1, (os.cpu_count() or 1) // jobs)
    return ["hydra/launcher=joblib", f"hydra.launcher.n_jobs={jobs}", f"trainer.threads={threads}"]


def time_sweep(sweep: list[str], jobs: int, folder: Path) -> dict[str, Any]:
    """Run the sweep into ``folder`` and time it end to end (process start-up included)."""
    command = [
        sys.executable, "-m", "transferbench", "-m", *sweep, *launcher_overrides(jobs),
        "trainer.progress=false", f"hydra.sweep.dir={folder}",
    ]
    start = time.perf_counter()
    completed = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    results = {path.parent.name: json.loads(path.read_text()) for path in folder.glob("*/results.json")}
    failed = [name for name, result in results.items() if result["status"] != "completed"]
    if completed.returncode != 0 and not failed:
        failed = [completed.stderr.strip().splitlines()[-1] if completed.stderr.strip() else "no results"]
    return {
        "jobs": jobs, "runs": len(results), "wall_s": round(seconds, 1),
        "runs_per_hour": round(3600 * len(results) / seconds, 1), "failed": failed,
        "accuracies": {name: result.get("target_acc") for name, result in sorted(results.items())},
    }


def summary(report: dict[str, Any]) -> Table:
    table = Table(title=f"sweep of {report['levels'][0]['runs']} runs on {report['cpu_cores']} CPU cores "
                        f"(same accuracies at every level: {'yes' if report['same_accuracies'] else 'NO'})")
    for column in ("jobs at once", "wall time (s)", "runs per hour", "speed-up"):
        table.add_column(column, justify="right")
    first = report["levels"][0]["wall_s"]
    for level in report["levels"]:
        table.add_row(str(level["jobs"]), f"{level['wall_s']:.1f}", f"{level['runs_per_hour']:.1f}",
                      f"{first / level['wall_s']:.2f}×")
    return table


if __name__ == "__main__":
    sys.exit(main())
