"""Command-line guard: an unknown config-group choice is one line, not Hydra's page of text."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Sequence

CONF_DIR = Path(__file__).resolve().parent / "conf"


def group_choices(group: str) -> list[str]:
    """The YAML names available in ``conf/<group>/``."""
    return sorted(path.stem for path in (CONF_DIR / group).glob("*.yaml"))


def check_group_choices(arguments: Sequence[str]) -> None:
    """Exit with status 2 and one line if an override names a missing group option.

    Handles ``group=a`` and sweeps ``group=a,b``; other Hydra syntax passes through unchecked.
    """
    for argument in arguments:
        if argument.startswith("-") or "=" not in argument:
            continue
        key, value = argument.lstrip("+~").split("=", 1)
        group = key.split("@")[0]
        if "/" in group or not (CONF_DIR / group).is_dir() or "(" in value or "*" in value:
            continue
        choices = group_choices(group)
        for choice in value.split(","):
            if choice not in choices:
                print(
                    f"error: unknown {group} '{choice}'; choose one of: {', '.join(choices)}",
                    file=sys.stderr,
                )
                sys.exit(2)
