"""Find the runs under a folder and sort them into completed, failed and unfinished."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transferbench.errors import UserError
from transferbench.layout import RESULTS_FILE, in_use, read_results


@dataclass
class RunCollection:
    completed: list[dict[str, Any]] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    unfinished: list[Path] = field(default_factory=list)
    running: list[Path] = field(default_factory=list)


def collect_runs(root: Path) -> RunCollection:
    """Every run dir under ``root``: one with a Hydra ``.hydra/`` folder or a ``results.json``.

    A run without ``results.json`` is *running* while a live process holds its folder (another
    sweep into the same folder, say), else *unfinished* (killed); one whose file says ``failed`` is
    *failed*; none is dropped silently.
    """
    runs = RunCollection()
    run_dirs = {path.parent for path in root.rglob(RESULTS_FILE)}
    run_dirs |= {path.parent for path in root.rglob(".hydra") if path.is_dir()}
    for run_dir in sorted(run_dirs):
        try:
            results = read_results(run_dir)
        except UserError as error:
            runs.failed.append((run_dir, str(error)))
            continue
        if results is None:
            (runs.running if in_use(run_dir) else runs.unfinished).append(run_dir)
        elif results.get("status") == "completed":
            results["run_dir"] = str(run_dir)
            runs.completed.append(results)
        else:
            runs.failed.append((run_dir, str(results.get("error", "no error recorded"))))
    return runs
