"""A run directory's files, shared by the writers (engine) and readers (analysis, models)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS_FILE = "results.json"
CHECKPOINT_FILE = "checkpoint.pt"


def completed_results(run_dir: Path) -> dict[str, Any] | None:
    """The results of a finished run in ``run_dir``, or None if it has not finished."""
    path = run_dir / RESULTS_FILE
    if not path.is_file():
        return None
    results = json.loads(path.read_text())
    return results if results.get("status") == "completed" else None
