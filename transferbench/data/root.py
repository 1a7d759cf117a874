"""Where datasets live on disk, and the one-line error when they are missing."""

from __future__ import annotations

from pathlib import Path

from transferbench.errors import UserError


def require_files(dataset: str, folder: Path, files: list[str], how_to_obtain: str) -> None:
    """Fail with one actionable line if any of ``files`` is missing under ``folder``."""
    missing = [name for name in files if not (folder / name).is_file()]
    if missing:
        raise UserError(
            f"{dataset} not found: {folder} lacks {', '.join(missing)}; {how_to_obtain} "
            "(set data.root=... or TRANSFERBENCH_DATA to the folder that holds it)"
        )
