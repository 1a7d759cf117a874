"""How a run degrades on a busy CPU: the same CLI run once on an idle machine, once beside busy loops.

    python scripts/bench_busy_cpu.py [--load N] [--repeats 3] [--env KEY=VALUE] [--out busy.json] [overrides ...]

Each measurement runs ``python -m transferbench <overrides> hydra.run.dir=<fresh folder>`` as a
subprocess, as a user would, and times it end to end (start-up and imports included). Without
overrides that is the README's default run (DANN on the embedded moons). The loaded measurement
starts ``--load`` busy-loop processes first (default: one per core, i.e. a machine whose cores
are all taken by someone else) and always stops them afterwards, also on errors and Ctrl-C; each
busy loop also exits by itself when this script dies. Repeats alternate idle and loaded; the
report gives both medians and loaded / idle (goal: at most 3×), and for each run the load
average before it, its CPU seconds (threads that spin while waiting burn many more than the wall
time), its training seconds, target accuracy and the CPU threads it used (from its log).
``--env`` sets environment variables for the runs only, e.g. ``--env OMP_WAIT_POLICY=ACTIVE``.
No test times anything; the measured numbers are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from rich.console import Console
from rich.table import Table

REPO_ROOT = Path(__file__).resolve().parent.parent
GOAL = 3.0
# A busy loop that exits by itself once its parent (this script) is gone, so that a killed
# benchmark never leaves the machine loaded.
BUSY_LOOP = (
    "import os\n"
    "parent = os.getppid()\n"
    "while os.getppid() == parent:\n"
    "    for _ in range(200000):\n"
    "        pass\n"
)
THREADS_LINE = re.compile(r"CPU threads: (\d+)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--load", type=int, default=os.cpu_count() or 1,
                        help="busy-loop processes during the loaded runs (default: one per core, %(default)s)")
    parser.add_argument("--repeats", type=int, default=1, help="idle/loaded pairs, alternating (default: 1)")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                        help="environment variable for the runs (repeatable)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed per run (default: %(default)s)")
    parser.add_argument("--out", type=Path, help="write the measurements to this JSON file")
    parser.add_argument("overrides", nargs="*", help="config overrides for the runs (default: none, the README's default run)")
    args = parser.parse_args(argv)
    if args.load < 1 or args.repeats < 1 or args.timeout <= 0:
        print("error: --load and --repeats must be positive integers, --timeout positive", file=sys.stderr)
        return 2
    try:
        env = dict(_key_value(item) for item in args.env)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)  # so that the busy loops are stopped
    try:
        report = measure(args.overrides, env, args.load, args.repeats, args.timeout)
    except RunFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
    Console().print(summary(report))
    if args.out:
        args.out.write_text(json.dumps(report, indent=2) + "\n")
    return 0


class RunFailed(Exception):
    """The CLI run exited non-zero or ran out of time."""


def measure(overrides: list[str], env: dict[str, str], load: int, repeats: int, timeout: float) -> dict[str, Any]:
    runs: list[dict[str, Any]] = []
    load_pids: list[int] = []
    with tempfile.TemporaryDirectory(prefix="bench_busy_cpu_") as scratch:
        for repeat in range(repeats):
            runs.append(time_run(overrides, env, Path(scratch) / f"idle{repeat}", timeout) | {"condition": "idle", "repeat": repeat})
            with busy_loops(load) as pids:
                load_pids += pids
                runs.append(time_run(overrides, env, Path(scratch) / f"loaded{repeat}", timeout) | {"condition": "loaded", "repeat": repeat})
    idle = [run["wall_s"] for run in runs if run["condition"] == "idle"]
    loaded = [run["wall_s"] for run in runs if run["condition"] == "loaded"]
    ratio = statistics.median(loaded) / statistics.median(idle)
    return {
        "command": ["python", "-m", "transferbench", *overrides],
        "overrides": overrides,
        "env": env,
        "cpu_cores": os.cpu_count(),
        "load_processes": load,
        "repeats": repeats,
        "runs": runs,
        "idle_median_s": round(statistics.median(idle), 2),
        "loaded_median_s": round(statistics.median(loaded), 2),
        "ratio": round(ratio, 2),
        "goal": GOAL,
        "within_goal": ratio <= GOAL,
        "same_accuracy": len({run["target_acc"] for run in runs}) == 1,
        "load_pids": load_pids,
    }


def time_run(overrides: list[str], env: dict[str, str], run_dir: Path, timeout: float) -> dict[str, Any]:
    """One CLI run into ``run_dir``, timed end to end."""
    command = [sys.executable, "-m", "transferbench", *overrides, f"hydra.run.dir={run_dir}"]
    load_before = os.getloadavg()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        completed = subprocess.run(
            command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout, env={**os.environ, **env},
        )
    except subprocess.TimeoutExpired:
        raise RunFailed(f"the run took over {timeout:g} s: {' '.join(command)}") from None
    seconds = time.perf_counter() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the run's CPU time: it is reaped, the busy loops not yet
    cpu_seconds = (children.ru_utime - children_before.ru_utime) + (children.ru_stime - children_before.ru_stime)
    if completed.returncode != 0:
        lines = completed.stderr.strip().splitlines() or ["no output"]
        raise RunFailed(f"the run exited with status {completed.returncode}: {lines[-1]}")
    results = json.loads((run_dir / "results.json").read_text())
    return {
        "wall_s": round(seconds, 2),
        "cpu_s": round(cpu_seconds, 2),
        "train_time_s": results.get("train_time_s"),
        "target_acc": results.get("target_acc"),
        "threads": _threads_used(run_dir, completed.stdout + completed.stderr),
        "load_average_before": [round(value, 2) for value in load_before],
        "load_average_after": [round(value, 2) for value in os.getloadavg()],
    }


@contextmanager
def busy_loops(count: int) -> Iterator[list[int]]:
    """``count`` processes spinning in pure Python, stopped (and reaped) on leaving the block."""
    processes: list[subprocess.Popen] = []
    try:
        for _ in range(count):
            processes.append(subprocess.Popen(
                [sys.executable, "-c", BUSY_LOOP],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ))
        time.sleep(0.5)  # let them start spinning before the clock starts
        yield [process.pid for process in processes]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def summary(report: dict[str, Any]) -> Table:
    command = " ".join(report["command"])
    env = " ".join(f"{key}={value}" for key, value in report["env"].items())
    table = Table(title=f"{(env + ' ') if env else ''}{command}\non {report['cpu_cores']} CPU cores; loaded: "
                        f"beside {report['load_processes']} busy-loop process(es)")
    for name in ("run", "wall s", "CPU s", "train s", "load 1 min", "threads", "target acc"):
        table.add_column(name, justify="left" if name == "run" else "right", no_wrap=True)
    for run in report["runs"]:
        table.add_row(
            f"{run['condition']} {run['repeat'] + 1}",
            f"{run['wall_s']:.2f}",
            f"{run['cpu_s']:.2f}" if "cpu_s" in run else "-",
            "-" if run["train_time_s"] is None else f"{run['train_time_s']:.2f}",
            f"{run['load_average_before'][0]:.2f}",
            "?" if run["threads"] is None else str(run["threads"]),
            "-" if run["target_acc"] is None else f"{run['target_acc']:.2f}",
        )
    verdict = "within" if report["within_goal"] else "outside"
    table.caption = (
        f"median wall s: idle {report['idle_median_s']:.2f}, loaded {report['loaded_median_s']:.2f}; "
        f"loaded / idle = {report['ratio']:.2f}× ({verdict} the {report['goal']:g}× goal)"
    )
    return table


def _threads_used(run_dir: Path, output: str) -> int | None:
    """The CPU thread count the run logged, if it logged one."""
    log = run_dir / "train.log"
    text = (log.read_text() if log.is_file() else "") + output
    found = THREADS_LINE.search(text)
    return int(found.group(1)) if found else None


def _key_value(item: str) -> tuple[str, str]:
    key, separator, value = item.partition("=")
    if not separator or not key:
        raise ValueError(f"--env takes KEY=VALUE, got {item!r}")
    return key, value


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    sys.exit(main())
