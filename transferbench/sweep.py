"""Experiments that chain Hydra multiruns (base networks, then runs that start from them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


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
