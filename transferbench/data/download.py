"""Getting a dataset's files in place: download them when allowed, else say how; then verify."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from transferbench.data.checksums import KNOWN, members, verify_known
from transferbench.errors import UserError

Fetch = Callable[[], object]


def ensure_files(
    name: str, folder: Path, url: str, fetch: Fetch | None, download: bool, cache: Path, hint: str = ""
) -> None:
    """Make sure the ``KNOWN[name]`` files are in ``folder`` with their checksums.

    Missing files are fetched with ``fetch`` when ``download`` is on (``None``: no automatic
    download exists); any failure stops the run with one line naming the dataset, the folder,
    ``url`` and the layout to place by hand, followed by ``hint``.
    """
    if not _present(name, folder):
        _fetch_or_explain(name, folder, url, fetch, download, hint)
    verify_known(name, folder, cache / "verified")


def _present(name: str, folder: Path) -> bool:
    return all(members(folder / relative) for relative in KNOWN[name])


def _fetch_or_explain(
    name: str, folder: Path, url: str, fetch: Fetch | None, download: bool, hint: str
) -> None:
    def missing(reason: str) -> UserError:
        return UserError(
            f"{name} not found in {folder} ({reason}); download {url} and place "
            f"{', '.join(KNOWN[name])} in {folder}{hint}, or point data.root / TRANSFERBENCH_DATA "
            "at a folder that has it"
        )

    if fetch is None:
        raise missing("it has no automatic download")
    if not download:
        raise missing("data.download=false; set it to true to download automatically")
    try:
        fetch()
    except Exception as error:  # network failures surface as many exception types
        raise missing(f"its download failed: {_first_line(error)}") from error
    if not _present(name, folder):
        raise missing("its download did not produce these files")


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return type(error).__name__ + (f": {lines[0][:200]}" if lines else "")
