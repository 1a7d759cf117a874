"""Experiments that chain Hydra multiruns (base networks, then runs that start from them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def multirun(sweep_dir: Path, subdir: str, *overrides: str) -> None:
    """One ``python -m transferbench -m`` sweep into ``sweep_dir`` with run folders ``subdir``
    (interpolations allowed); exits the calling script with one line if any run failed. Finished
    runs are skipped and killed ones resumed, so calling it again continues the sweep."""
    command = [
        sys.executable, "-m", "transferbench", "-m", *overrides, "trainer.progress=false",
        f"hydra.sweep.dir={sweep_dir}", f"hydra.sweep.subdir={subdir}",
    ]
    print("+", " ".join(command), flush=True)
    if subprocess.run(command).returncode != 0:
        sys.exit(f"error: the sweep into {sweep_dir} failed; see the runs' results.json")
