"""Published accuracies to print beside ours (``references.yaml``): one column per publication,
with the protocol it reports, so that a Δ against a different protocol is marked."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Collection, Iterable, Mapping, Sequence

import yaml

from transferbench.errors import UserError

REFERENCES_FILE = Path(__file__).with_name("references.yaml")
#: How a publication chose the model it reports: the last one, or the best on the target test split.
SELECTIONS = ("last", "oracle")
#: The selection each of our target metrics reports.
METRIC_SELECTION = {"target_acc": "last", "oracle_target_acc": "oracle"}


@dataclass(frozen=True)
class Protocol:
    """What a publication trained and reported, as far as it says; None = not stated."""

    iterations: int | None = None
    batch_size: int | None = None
    selection: str | None = None
    text: str = ""

    def matches(self, settings: Mapping[str, Collection[int]], metric: str) -> bool:
        """Whether runs with these trainer ``settings`` (each key's values over the runs),
        reported by ``metric``, follow it."""
        stated = {"iterations": self.iterations, "batch_size": self.batch_size}
        return METRIC_SELECTION.get(metric) == self.selection and all(
            set(settings.get(key, ())) == {value} for key, value in stated.items()
        )


@dataclass(frozen=True)
class Reference:
    """One publication's table: ``accuracy[method, task]`` in percent, its citation, the header
    of its columns and its protocol."""

    key: str
    source: str
    accuracy: Mapping[tuple[str, str], float]
    label: str = "pub."
    protocol: Protocol = field(default_factory=Protocol)

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
    label = str(block.get("label", key))
    return Reference(key, _one_line(block["source"]), accuracy, label, _parse_protocol(key, block, path))


def _parse_protocol(key: str, block: dict[str, Any], path: Path) -> Protocol:
    protocol = block.get("protocol") or {}
    unknown = set(protocol) - {"iterations", "batch_size", "selection", "text"}
    selection = protocol.get("selection")
    if unknown or selection not in (None, *SELECTIONS):
        raise UserError(
            f"{path}: reference '{key}' protocol takes iterations, batch_size, selection "
            f"({' or '.join(SELECTIONS)}) and text"
        )
    return Protocol(
        protocol.get("iterations"), protocol.get("batch_size"), selection, _one_line(protocol.get("text", ""))
    )


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


def choose_references(
    references: Mapping[str, Reference], tasks: Iterable[str], keys: Sequence[str] | None = None
) -> dict[str, list[Reference]]:
    """For each task, the references in ``keys`` (default: all, in file order) that cover it."""
    keys = list(references) if keys is None else list(keys)
    for key in keys:
        if key not in references:
            raise UserError(f"unknown reference '{key}'; choose one of: {', '.join(references)}")
    chosen = {}
    for task in tasks:
        covering = [references[key] for key in keys if task in references[key].tasks]
        if covering:
            chosen[task] = covering
    return chosen
