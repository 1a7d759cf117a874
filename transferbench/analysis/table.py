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
from typing import Any, Callable, Iterable, Sequence

from transferbench.analysis.references import Reference
from transferbench.objective import is_oracle

# What a run cost, as results.json records it, and how a table titles it.
COST_METRICS = {
    "wall_time_s": "wall time per run (s), training + evaluation + checkpoints",
    "train_time_s": "training time per run (s), evaluation and checkpoints excluded",
    "train_images_per_s": "training throughput (images/s)",
}
#: The rows that span "% of gap closed": the lower and the upper bound of a DA table.
LOWER_BOUND, UPPER_BOUND = "source_only", "train_on_target"
#: Marks the row of runs whose hyper-parameters were searched for on target test labels.
ORACLE_SEARCH = "[oracle search]"
#: How many hex digits of a teacher's config digest a row label shows.
DIGEST_SHOWN = 8
OptionsOf = Callable[[dict[str, Any]], dict[str, Any]]
# The trainer settings a publication's protocol is compared on (besides the model selection).
RUN_SETTINGS = ("iterations", "batch_size")
# Config groups whose differences make runs of one method on one task different settings (rows).
TRAINING_GROUPS = ("backbone", "optimizer", "scheduler")
# Dataset keys that name the task or that reach the runs through the training settings.
# The related tasks (``dataset.related``) are data a method trains with: they split rows, not columns.
DATASET_IDENTITY = {"name", "source", "target", "options", "protocol", "domains", "task", "related"}


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
    """``cells[row, column]`` of ``metrics`` (``metric`` is the first; ``column_metrics[column]``
    the one a column shows); ``methods[row]`` is the row's method name, ``task_names[column]``
    the column's task and ``settings[column]`` the run lengths and batch sizes of its runs;
    ``references[column]`` are the publications whose numbers that column shows, one column
    each; with ``gap_closed`` each task column also shows the % of the gap closed."""

    metric: str
    rows: list[str]
    tasks: list[str]
    cells: dict[tuple[str, str], Cell]
    methods: dict[str, str]
    task_names: dict[str, str]
    settings: dict[str, dict[str, set[int]]] = field(default_factory=dict)
    references: dict[str, list[Reference]] = field(default_factory=dict)
    gap_closed: bool = False
    metrics: tuple[str, ...] = ()
    column_metrics: dict[str, str] = field(default_factory=dict)

    def average(self, row: str) -> float | None:
        """Mean over tasks of the per-task means; None unless the row covers every task."""
        if any((row, task) not in self.cells for task in self.tasks):
            return None
        return statistics.fmean(self.cells[row, task].mean for task in self.tasks)

    def published(self, row: str, task: str, reference: Reference) -> float | None:
        """The published accuracy of the row's method on ``task`` in ``reference``."""
        return reference.accuracy.get((self.methods[row], self.task_names[task]))

    def common_references(self) -> list[Reference]:
        """The references that cover every task column, for the average's published column."""
        if not self.tasks:
            return []
        keys = [{ref.key for ref in self.references.get(task, [])} for task in self.tasks]
        return [ref for ref in self.references.get(self.tasks[0], []) if all(ref.key in k for k in keys)]

    def published_average(self, row: str, reference: Reference) -> float | None:
        """Mean of ``reference``'s numbers over the tasks; None unless it has every one."""
        values = [self.published(row, task, reference) for task in self.tasks]
        return None if None in values else statistics.fmean(values)

    def comparable(self, task: str | None, reference: Reference) -> bool:
        """Whether the runs of column ``task`` (every column: None) follow ``reference``'s
        protocol: its iterations, batch size and model selection (our ``metric``)."""
        columns = self.tasks if task is None else [task]
        return all(reference.protocol.matches(self.settings.get(column, {}), self.metric) for column in columns)

    def gap(self, row: str, task: str) -> float | None:
        """% of the gap closed, 100 (acc − source only) / (train on target − source only), from
        the means of the column's ``source_only`` and ``train_on_target`` rows (DANN, ICML 2015)."""
        cell, low, high = (self.cells.get((name, task)) for name in (row, LOWER_BOUND, UPPER_BOUND))
        if None in (cell, low, high) or high.mean == low.mean:
            return None
        return 100.0 * (cell.mean - low.mean) / (high.mean - low.mean)


def build_table(
    results: Iterable[dict[str, Any]], metric: str | Sequence[str] = "target_acc", all_rows: bool = False
) -> Table:
    """The table of ``metric``; several metrics give each task one column per metric, headed
    ``<task>: <metric>`` (a continual run's ``old_acc`` beside its ``target_acc``). A run that does
    not record a metric (``old_acc`` of a run without an old task) leaves its cell empty; with
    ``all_rows`` its row and column are kept even when no run records the metric there (a
    selection rule that old runs cannot apply)."""
    metrics = (metric,) if isinstance(metric, str) else tuple(metric)
    results = list(results)
    labels = row_labels(results)
    places = [
        (result, label, task if len(metrics) == 1 else f"{task}: {name}", name)
        for result, label, task in zip(results, labels, column_labels(results))
        for name in metrics
    ]
    entries = [place for place in places if place[3] in place[0]]
    shown = places if all_rows else entries
    cells: dict[tuple[str, str], Cell] = defaultdict(lambda: Cell([]))
    settings: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    column_metrics = {column: name for _, _, column, name in shown}
    for result, label, column, name in entries:
        cells[label, column].values.append(float(result[name]))
        trainer = result.get("config", {}).get("trainer", {})
        for key in RUN_SETTINGS:
            settings[column][key].add(trainer.get(key))
    rows = sorted({label for _, label, _, _ in shown}, key=_row_order)
    methods = {label: result["method"] for result, label in zip(results, labels)}
    task_names = {column: result["task"] for result, _, column, _ in shown}
    tasks = sorted(task_names, key=lambda column: _column_order(column, column_metrics[column], metrics))
    return Table(
        metrics[0], rows, tasks, dict(cells), methods, task_names, _plain(settings), metrics=metrics,
        column_metrics=column_metrics,
    )


def _column_order(column: str, metric: str, metrics: tuple[str, ...]) -> tuple[list[tuple[int, int | str]], int]:
    """Columns by task, then in the order the metrics were asked for."""
    task = column.removesuffix(f": {metric}") if len(metrics) > 1 else column
    return natural_order(task), metrics.index(metric)


def _plain(settings: dict[str, dict[str, set[int]]]) -> dict[str, dict[str, set[int]]]:
    return {column: dict(values) for column, values in settings.items()}


def _row_order(label: str) -> tuple[int, str]:
    """Source only first, train on target last (the bounds of a DA table), the rest by name."""
    first, last = label.startswith(LOWER_BOUND), label.startswith(UPPER_BOUND)
    return (0 if first else 2 if last else 1, label)


def natural_order(label: str) -> list[tuple[int, int | str]]:
    """A sort key that orders the numbers in labels by value (labels_per_class=5 before =10)."""
    return [(0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", label) if part]


def row_labels(results: list[dict[str, Any]]) -> list[str]:
    """Method name, plus the training settings that differ between runs of that method on one
    task: its own options, the backbone, optimizer and scheduler keys, and the task's related
    tasks (a multi-task run's source pool and its selection rule) (settings that follow
    the task's protocol, such as its discriminator or weight decay, do not split a row). A run
    whose hyper-parameters a search chose on target labels (``objective.oracle``) is marked
    ``[oracle search]``, always."""
    labels = _labels(results, "method", _training_options, group_by="task")
    return [f"{label} {ORACLE_SEARCH}" if is_oracle(result.get("config", {})) else label
            for label, result in zip(labels, results)]


def column_labels(results: list[dict[str, Any]]) -> list[str]:
    """Task name, plus the dataset settings and run lengths that differ between runs of that task
    (generated vs published MNIST-M, another normalisation, a shortened protocol)."""
    return _labels(results, "task", _task_options)


def _labels(
    results: list[dict[str, Any]], name_key: str, options_of: OptionsOf, group_by: str | None = None
) -> list[str]:
    """``result[name_key]``, suffixed by the options that vary between results of that name
    within one ``group_by`` value (anywhere, when None)."""
    options_of_each = [_canonical(options_of(result)) for result in results]
    groups: dict[tuple[str, Any], list[dict[str, Any]]] = defaultdict(list)
    for result, options in zip(results, options_of_each):
        groups[result[name_key], result.get(group_by)].append(options)
    varying: dict[str, set[str]] = defaultdict(set)
    for (name, _), option_sets in groups.items():
        varying[name].update(_varying_keys(option_sets))
    labels = []
    for result, options in zip(results, options_of_each):
        suffix = ", ".join(f"{key}={options.get(key)}" for key in sorted(varying[result[name_key]]))
        labels.append(f"{result[name_key]} ({suffix})" if suffix else result[name_key])
    return labels


def _canonical(options: dict[str, Any]) -> dict[str, Any]:
    """Whole floats as ints, so that ``10.0`` from a YAML and ``10`` from a command line are one
    setting (one row or column), printed ``10``."""
    return {key: int(value) if isinstance(value, float) and value.is_integer() else value
            for key, value in options.items()}


def _training_options(result: dict[str, Any]) -> dict[str, Any]:
    """The method's options by their own names, the other training groups' keys dotted. An
    option naming a trained network (a teacher's run folder) stands for that run's task and config
    digest (``mnist@d1d1d1d1``), so students of one teacher pool wherever its folder lies, and
    students of two never do."""
    config = result.get("config", {})
    # A method's own ``seed`` (subspace alignment's draw) is the run's seed, which cells pool over.
    options = {k: v for k, v in config.get("method", {}).items() if k not in ("name", "seed")}
    for name, network in (result.get("provenance") or {}).items():
        digest = network["config_digest"][:DIGEST_SHOWN]
        options[name] = f"{network['task']}@{digest}" if network.get("task") else digest
    for group in TRAINING_GROUPS:
        options |= _dotted(config.get(group) or {}, group)
    return options | _dotted(config.get("dataset", {}).get("related") or {}, "related")


def _task_options(result: dict[str, Any]) -> dict[str, Any]:
    """Dataset options by their own names, the dataset's other settings dotted (not its name,
    domains or protocol, whose effects are in the training settings), and the run length."""
    config = result.get("config", {})
    dataset, trainer = config.get("dataset", {}), config.get("trainer", {})
    options = dict(dataset.get("options") or {})
    settings = {k: v for k, v in dataset.items() if k not in DATASET_IDENTITY}
    return options | _dotted(settings, "dataset") | {key: trainer.get(key) for key in RUN_SETTINGS}


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
