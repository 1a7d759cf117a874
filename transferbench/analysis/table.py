"""Paper-style result tables: methods × tasks, mean ± std over seeds (DomainBed-style, plain).

A row is a method; when runs of one method differ in its hyper-parameters (a sweep over
``method.trade_off``, say), each setting gets its own row labelled with the differing values.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable

ORACLE_METRIC = "oracle_target_acc"


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
    metric: str
    rows: list[str]
    tasks: list[str]
    cells: dict[tuple[str, str], Cell]

    def average(self, row: str) -> float | None:
        """Mean over tasks of the per-task means; None unless the row covers every task."""
        if any((row, task) not in self.cells for task in self.tasks):
            return None
        return statistics.fmean(self.cells[row, task].mean for task in self.tasks)


def build_table(results: Iterable[dict[str, Any]], metric: str = "target_acc") -> Table:
    results = list(results)
    labels = row_labels(results)
    cells: dict[tuple[str, str], Cell] = defaultdict(lambda: Cell([]))
    for result, label in zip(results, labels):
        cells[label, result["task"]].values.append(float(result[metric]))
    rows = sorted(set(labels), key=lambda label: (not label.startswith("source_only"), label))
    tasks = sorted({result["task"] for result in results})
    return Table(metric, rows, tasks, dict(cells))


def row_labels(results: list[dict[str, Any]]) -> list[str]:
    """Method name, plus the method options that differ between runs of that method."""
    options_by_method: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for result in results:
        options_by_method[result["method"]].append(_method_options(result))
    labels = []
    for result in results:
        varying = _varying_keys(options_by_method[result["method"]])
        options = _method_options(result)
        suffix = ", ".join(f"{key}={options.get(key)}" for key in varying)
        labels.append(f"{result['method']} ({suffix})" if suffix else result["method"])
    return labels


def _method_options(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.get("config", {}).get("method", {}).items() if k != "name"}


def _varying_keys(option_sets: list[dict[str, Any]]) -> list[str]:
    keys = sorted({key for options in option_sets for key in options})
    return [key for key in keys if len({repr(options.get(key)) for options in option_sets}) > 1]


def _title(metric: str) -> str:
    if metric == ORACLE_METRIC:
        return "oracle: best target test accuracy over evaluations (optimistic, not a valid selection)"
    return f"{metric} (%), model selection: last checkpoint"


def to_markdown(table: Table) -> str:
    header = ["method", *table.tasks, "Avg"]
    lines = [f"_{_title(table.metric)}; mean ± std over seeds, n = number of seeds_", ""]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join(["---"] * len(header)) + "|")
    for row in table.rows:
        cells = [table.cells[row, task].text() if (row, task) in table.cells else "—" for task in table.tasks]
        average = table.average(row)
        cells.append("—" if average is None else f"{average:.2f}")
        lines.append("| " + " | ".join([row, *cells]) + " |")
    return "\n".join(lines) + "\n"


def to_csv(table: Table) -> str:
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(["method", "task", "metric", "mean", "std", "n", "values"])
    for (row, task), cell in sorted(table.cells.items()):
        values = " ".join(f"{value:.4f}" for value in cell.values)
        writer.writerow([row, task, table.metric, f"{cell.mean:.4f}", f"{cell.std:.4f}", len(cell.values), values])
    return stream.getvalue()


def to_latex(table: Table) -> str:
    columns = "l" + "c" * (len(table.tasks) + 1)
    lines = [
        f"% {_title(table.metric)}; mean $\\pm$ std over seeds",
        f"\\begin{{tabular}}{{{columns}}}",
        "\\toprule",
        " & ".join(["Method", *(_latex_escape(task) for task in table.tasks), "Avg"]) + " \\\\",
        "\\midrule",
    ]
    for row in table.rows:
        cells = []
        for task in table.tasks:
            cell = table.cells.get((row, task))
            cells.append("--" if cell is None else f"{cell.mean:.1f}$\\pm${cell.std:.1f}")
        average = table.average(row)
        cells.append("--" if average is None else f"{average:.1f}")
        lines.append(" & ".join([_latex_escape(row), *cells]) + " \\\\")
    lines += ["\\bottomrule", "\\end{tabular}"]
    return "\n".join(lines) + "\n"


def _latex_escape(text: str) -> str:
    return text.replace("_", "\\_").replace("&", "\\&").replace("%", "\\%")
