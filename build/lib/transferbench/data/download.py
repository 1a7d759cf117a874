"""Getting a dataset's files in place: download them when allowed, else say how; then verify."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from transferbench.data.checksums import KNOWN, members, verify_known
from transferbench.errors import UserError, first_line

Fetch = Callable[[], object]


def ensure_files(
    name: str, folder: Path, url: str, fetch: Fetch | None, download: bool, cache: Path, hint: str = ""
) -> None:
    """Make sure the ``KNOWN[name]`` files are in ``folder`` with their checksums.

    Missing files are fetched with ``fetch`` when ``download`` is on (``None``: no automatic
    download exists); any failure stops the run with one line naming the dataset, the folder,
    ``url`` and the layout to place by hand, followed by ``hint``.
    """

    def present() -> bool:
        return all(members(folder / relative) for relative in KNOWN[name])

    if not present():
        fetch_or_explain(name, folder, url, ", ".join(KNOWN[name]), present, fetch, download, hint)
    verify_known(name, folder, cache / "verified")


def fetch_or_explain(
    name: str, folder: Path, url: str, layout: str, present: Callable[[], bool],
    fetch: Fetch | None, download: bool, hint: str = "",
) -> None:
    """Run ``fetch`` when ``download`` allows it and check ``present()`` after; any failure stops the
    run with one line naming ``name``, ``folder``, ``url`` and the ``layout`` to place by hand."""

    def missing(reason: str) -> UserError:
        return UserError(
            f"{name} not found in {folder} ({reason}); download {url} and place "
            f"{layout} in {folder}{hint}, or point data.root / TRANSFERBENCH_DATA "
            "at a folder that has it"
        )

    if fetch is None:
        raise missing("it has no automatic download")
    if not download:
        raise missing("data.download=false; set it to true to download automatically")
    try:
        fetch()
    except Exception as error:  # network failures surface as many exception types
        raise missing(f"its download failed: {first_line(error)}") from error
    if not present():
        raise missing("its download did not produce these files")
