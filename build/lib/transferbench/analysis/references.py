"""Published accuracies to print beside ours (``references.yaml``), one publication per task column."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import yaml

from transferbench.errors import UserError

REFERENCES_FILE = Path(__file__).with_name("references.yaml")


@dataclass(frozen=True)
class Reference:
    """One publication's table: ``accuracy[method, task]`` in percent, and its citation."""

    key: str
    source: str
    accuracy: Mapping[tuple[str, str], float]

    @property
    def tasks(self) -> set[str]:
        return {task for _, task in self.accuracy}


def load_references(path: Path = REFERENCES_FILE) -> dict[str, Reference]:
    """Every block of a references file, by key, in file order."""
    try:
        blocks = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as error:
        raise UserError(f"cannot read references from {path}: {error}") from error
    if not isinstance(blocks, dict):
        raise UserError(f"{path} must map reference keys to blocks with source, tasks and accuracy")
    return {key: _parse_block(key, block, path) for key, block in blocks.items()}


def _parse_block(key: str, block: Any, path: Path) -> Reference:
    if not isinstance(block, dict) or not {"source", "tasks", "accuracy"} <= set(block):
        raise UserError(f"{path}: reference '{key}' needs source, tasks and accuracy")
    tasks = list(block["tasks"])
    accuracy = {}
    for method, values in block["accuracy"].items():
        if len(values) != len(tasks) or not all(isinstance(v, (int, float)) and 0 <= v <= 100 for v in values):
            raise UserError(
                f"{path}: reference '{key}', method '{method}' needs {len(tasks)} accuracies in [0, 100]"
            )
        accuracy.update({(method, task): float(value) for task, value in zip(tasks, values)})
    return Reference(key, " ".join(str(block["source"]).split()), accuracy)


def choose_references(
    references: Mapping[str, Reference], tasks: Iterable[str], keys: Sequence[str] | None = None
) -> dict[str, Reference]:
    """For each task, the first reference in ``keys`` (default: all, in file order) that covers it."""
    keys = list(references) if keys is None else list(keys)
    for key in keys:
        if key not in references:
            raise UserError(f"unknown reference '{key}'; choose one of: {', '.join(references)}")
    chosen = {}
    for task in tasks:
        covering = [references[key] for key in keys if task in references[key].tasks]
        if covering:
            chosen[task] = covering[0]
    return chosen
