"""Experiments that chain Hydra multiruns (base networks, then runs that start from them)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Callable

#: An experiment of a driver script: (its folder, the seeds, overrides for every run) → all finished.
Experiment = Callable[[Path, str, list[str]], bool]


def multirun(sweep_dir: Path, subdir: str, *overrides: str, required: bool = True) -> bool:
    """One ``python -m transferbench -m`` sweep into ``sweep_dir`` with run folders ``subdir``
    (interpolations allowed); whether all its runs finished. A failed sweep that later sweeps need
    (``required``: base networks, teachers) exits the calling script with one line. Finished runs
    are skipped and killed ones resumed, so calling it again continues the sweep."""
    command = [
        sys.executable, "-m", "transferbench", "-m", *overrides, "trainer.progress=false",
        f"hydra.sweep.dir={sweep_dir}", f"hydra.sweep.subdir={subdir}",
    ]
    print("+", " ".join(command), flush=True)
    finished = subprocess.run(command).returncode == 0
    if not finished and required:
        sys.exit(f"error: the sweep into {sweep_dir} failed; see the runs' results.json")
    return finished


def run_experiment(description: str, experiments: dict[str, Experiment], argv: list[str] | None = None) -> int:
    """The command line of a driver script: ``<experiment> --out DIR [--seeds 0,1,2] [overrides]``;
    0 when every run of the experiment finished, 1 with one line when some failed."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("experiment", choices=experiments)
    parser.add_argument("--out", type=Path, required=True, help="experiment folder")
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated seeds (default: %(default)s)")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides for every run")
    args = parser.parse_intermixed_args(argv)
    if not experiments[args.experiment](args.out.resolve(), args.seeds, args.overrides):
        print("error: some runs failed; their results.json say why (make_table.py lists them)", file=sys.stderr)
        return 1
    return 0
