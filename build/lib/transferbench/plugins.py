"""Methods, domains and backbones from outside the package.

A module that registers entries (``@METHODS.register("mine")`` ...) joins a run when it is named
in the config's ``imports`` list (``'imports=[my_lab.methods]'``) or when an installed
distribution declares it as an entry point of the group ``transferbench.plugins``. Its YAMLs join
the config groups from the folders of ``TRANSFERBENCH_CONFIG_PATH`` (``os.pathsep``-separated),
and from the ``conf`` folder of a plugin package, through the Hydra search-path plugin in
``hydra_plugins/transferbench_searchpath.py``.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from importlib.metadata import entry_points
from pathlib import Path
from typing import Sequence

from transferbench.errors import UserError, first_line

ENTRY_POINT_GROUP = "transferbench.plugins"
CONFIG_PATH_VARIABLE = "TRANSFERBENCH_CONFIG_PATH"


def load_plugins(modules: Sequence[str] = ()) -> None:
    """Import every installed plugin, then each module of ``modules`` (idempotent)."""
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        _import(entry.value.split(":")[0], f"entry point '{entry.name}' of {ENTRY_POINT_GROUP}")
    for module in modules:
        _import(module, "imports")


def _import(module: str, origin: str) -> None:
    try:
        importlib.import_module(module)
    except Exception as error:  # a plugin can fail in any way; the user needs its first line
        raise UserError(
            f"cannot import '{module}' named by {origin} ({first_line(error)}); install it or put "
            "its folder on PYTHONPATH"
        ) from None


def config_search_path() -> list[str]:
    """Hydra search-path entries of the user's config folders, then of the plugins' ``conf``."""
    folders = [
        f"file://{Path(folder).expanduser().resolve()}"
        for folder in os.environ.get(CONFIG_PATH_VARIABLE, "").split(os.pathsep)
        if folder
    ]
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        package = entry.value.split(":")[0].split(".")[0]
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.submodule_search_locations:
            conf = Path(next(iter(spec.submodule_search_locations))) / "conf"
            if conf.is_dir():
                folders.append(f"file://{conf}")
    return folders
