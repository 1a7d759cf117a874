"""Paper-style result tables: methods × tasks, mean ± std over seeds (DomainBed-style, plain).

A row is a method; when runs of one method differ in its hyper-parameters (a sweep over
``method.trade_off``, say), each setting gets its own row labelled with the differing values.
Published numbers (``references.yaml``) attach per task column; ``formats.py`` renders tables.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from transferbench.analysis.references import Reference

ORACLE_METRIC = "oracle_target_acc"
# What a run cost, as results.json records it, and how a table titles it.
COST_METRICS = {
    "wall_time_s": "wall time per run (s), training + evaluation + checkpoints",
    "train_time_s": "training time per run (s), evaluation and checkpoints excluded",
    "train_images_per_s": "training throughput (images/s)",
}
#: How many hex digits of a teacher's config digest a row label shows.
DIGEST_SHOWN = 8
OptionsOf = Callable[[dict[str, Any]], dict[str, Any]]
# Config groups whose differences make runs of one method on one task different settings (rows).
TRAINING_GROUPS = ("backbone", "optimizer", "scheduler")
# Dataset keys that name the task or that reach the runs through the training settings.
DATASET_IDENTITY = {"name", "source", "target", "options", "protocol", "domains", "task"}


@dataclass
class Cell:
    values: list[float]

    @property
    def mean(self) -> float:
        return statistics.fmean(self.values)

    @property
    def std(self) -> float:
        return statistics.stdev(self.values) if len(self.values) > 1 else 0.0

    def text(self) -> str:
        spread = f" ± {self.std:.2f}" if len(self.values) > 1 else ""
        return f"{self.mean:.2f}{spread} (n={len(self.values)})"


@dataclass
class Table:
    """``cells[row, column]``; ``methods[row]`` is the row's method name, ``task_names[column]``
    the column's task; ``references[column]`` is the publication whose numbers that column shows
    (none: no published column)."""

    metric: str
    rows: list[str]
    tasks: list[str]
    cells: dict[tuple[str, str], Cell]
    methods: dict[str, str]
    task_names: dict[str, str]
    references: dict[str, Reference] = field(default_factory=dict)

    def average(self, row: str) -> float | None:
        """Mean over tasks of the per-task means; None unless the row covers every task."""
        if any((row, task) not in self.cells for task in self.tasks):
            return None
        return statistics.fmean(self.cells[row, task].mean for task in self.tasks)

    def published(self, row: str, task: str) -> float | None:
        """The published accuracy of the row's method on ``task``, if its column has a reference."""
        reference = self.references.get(task)
        key = (self.methods[row], self.task_names[task])
        return None if reference is None else reference.accuracy.get(key)

    def published_average(self, row: str) -> float | None:
        """Mean of the published numbers over tasks; None unless every task has one."""
        values = [self.published(row, task) for task in self.tasks]
        return None if None in values else statistics.fmean(values)


def build_table(results: Iterable[dict[str, Any]], metric: str = "target_acc") -> Table:
    results = list(results)
    labels, columns = row_labels(results), column_labels(results)
    cells: dict[tuple[str, str], Cell] = defaultdict(lambda: Cell([]))
    for result, label, column in zip(results, labels, columns):
        cells[label, column].values.append(float(result[metric]))
    rows = sorted(set(labels), key=lambda label: (not label.startswith("source_only"), label))
    methods = {label: result["method"] for result, label in zip(results, labels)}
    task_names = {column: result["task"] for result, column in zip(results, columns)}
    return Table(metric, rows, sorted(task_names, key=natural_order), dict(cells), methods, task_names)


def natural_order(label: str) -> list[tuple[int, int | str]]:
    """A sort key that orders the numbers in labels by value (labels_per_class=5 before =10)."""
    return [(0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", label) if part]


def row_labels(results: list[dict[str, Any]]) -> list[str]:
    """Method name, plus the training settings that differ between runs of that method on one
    task: its own options, and the backbone, optimizer and scheduler keys (settings that follow
    the task's protocol, such as its discriminator or weight decay, do not split a row)."""
    return _labels(results, "method", _training_options, group_by="task")


def column_labels(results: list[dict[str, Any]]) -> list[str]:
    """Task name, plus the dataset settings and run lengths that differ between runs of that task
    (generated vs published MNIST-M, another normalisation, a shortened protocol)."""
    return _labels(results, "task", _task_options)


def _labels(
    results: list[dict[str, Any]], name_key: str, options_of: OptionsOf, group_by: str | None = None
) -> list[str]:
    """``result[name_key]``, suffixed by the options that vary between results of that name
    within one ``group_by`` value (anywhere, when None)."""
    groups: dict[tuple[str, Any], list[dict[str, Any]]] = defaultdict(list)
    for result in results:
        groups[result[name_key], result.get(group_by)].append(options_of(result))
    varying: dict[str, set[str]] = defaultdict(set)
    for (name, _), option_sets in groups.items():
        varying[name].update(_varying_keys(option_sets))
    labels = []
    for result in results:
        options = options_of(result)
        suffix = ", ".join(f"{key}={options.get(key)}" for key in sorted(varying[result[name_key]]))
        labels.append(f"{result[name_key]} ({suffix})" if suffix else result[name_key])
    return labels


def _training_options(result: dict[str, Any]) -> dict[str, Any]:
    """The method's options by their own names, the other training groups' keys dotted. An
    option naming a trained network (a teacher's run folder) stands for that run's config digest,
    so students of one teacher pool wherever its folder lies, and students of two never do."""
    config = result.get("config", {})
    options = {k: v for k, v in config.get("method", {}).items() if k != "name"}
    for name, network in (result.get("provenance") or {}).items():
        options[name] = network["config_digest"][:DIGEST_SHOWN]
    for group in TRAINING_GROUPS:
        options |= _dotted(config.get(group) or {}, group)
    return options


def _task_options(result: dict[str, Any]) -> dict[str, Any]:
    """Dataset options by their own names, the dataset's other settings dotted (not its name,
    domains or protocol, whose effects are in the training settings), and the run length."""
    config = result.get("config", {})
    dataset, trainer = config.get("dataset", {}), config.get("trainer", {})
    options = dict(dataset.get("options") or {})
    settings = {k: v for k, v in dataset.items() if k not in DATASET_IDENTITY}
    return options | _dotted(settings, "dataset") | {key: trainer.get(key) for key in ("iterations", "batch_size")}


def _dotted(mapping: dict[str, Any], prefix: str) -> dict[str, Any]:
    """``{"a": {"b": 1}}`` → ``{"prefix.a.b": 1}``; lists stay values."""
    flat: dict[str, Any] = {}
    for key, value in mapping.items():
        if isinstance(value, dict):
            flat |= _dotted(value, f"{prefix}.{key}")
        else:
            flat[f"{prefix}.{key}"] = value
    return flat


def _varying_keys(option_sets: list[dict[str, Any]]) -> list[str]:
    keys = sorted({key for options in option_sets for key in options})
    return [key for key in keys if len({repr(options.get(key)) for options in option_sets}) > 1]
