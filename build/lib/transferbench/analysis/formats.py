"""Markdown, CSV and LaTeX renderings of a ``Table``, all showing the same numbers.

A task column with a reference is followed by ``pub.`` (the published accuracy of the row's
method) and ``Δ`` (our mean − pub.); so is ``Avg`` when every task has one. The citations go
under the table (comment lines in LaTeX); the CSV has them per cell.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Callable

from transferbench.analysis.table import COST_METRICS, ORACLE_METRIC, Cell, Table

OURS, PUBLISHED, DELTA = "ours", "pub.", "Δ"


@dataclass(frozen=True)
class Column:
    """One column of the wide table: ``task`` None is the average over tasks."""

    task: str | None
    kind: str


def columns(table: Table) -> list[Column]:
    """Ours for each task, followed by pub. and Δ where the task has a reference; then Avg, alike."""
    result = []
    for task in table.tasks:
        result.append(Column(task, OURS))
        if task in table.references:
            result += [Column(task, PUBLISHED), Column(task, DELTA)]
    result.append(Column(None, OURS))
    if table.tasks and all(task in table.references for task in table.tasks):
        result += [Column(None, PUBLISHED), Column(None, DELTA)]
    return result


def value(table: Table, row: str, column: Column) -> float | None:
    """The number a column shows in a row (our mean, published, or their difference)."""
    if column.task is None:
        ours, published = table.average(row), table.published_average(row)
    else:
        cell = table.cells.get((row, column.task))
        ours, published = (None if cell is None else cell.mean), table.published(row, column.task)
    if column.kind == OURS:
        return ours
    if column.kind == PUBLISHED:
        return published
    return None if ours is None or published is None else ours - published


def reference_notes(table: Table) -> list[str]:
    """One line per publication shown: the tasks it covers and its citation."""
    if not table.references:
        return []
    covered: dict[str, list[str]] = {}
    for task in table.tasks:
        if task in table.references:
            covered.setdefault(table.references[task].key, []).append(task)
    sources = {reference.key: reference.source for reference in table.references.values()}
    lines = [f"{PUBLISHED} = published accuracy of the same method, {DELTA} = ours − {PUBLISHED}; sources:"]
    return lines + [f"{', '.join(tasks)}: {sources[key]}" for key, tasks in covered.items()]


def _title(metric: str) -> str:
    if metric in COST_METRICS:
        return COST_METRICS[metric]
    if metric == ORACLE_METRIC:
        return "oracle: best target test accuracy over evaluations (optimistic, not a valid selection)"
    return f"{metric} (%), model selection: last checkpoint"


def _header(column: Column) -> str:
    return (column.task or "Avg") if column.kind == OURS else column.kind


def _text(
    table: Table, row: str, column: Column, decimals: int, missing: str, ours: Callable[[Cell], str]
) -> str:
    """A cell: ``ours`` of the seeds' cell in task columns, our average, the published number as
    printed, or the signed difference; ``missing`` where there is none."""
    number = value(table, row, column)
    if number is None:
        return missing
    if column.kind == PUBLISHED:
        return _published_text(number)
    if column.kind == DELTA:
        return f"{number:+.{decimals}f}"
    if column.task is None:
        return f"{number:.{decimals}f}"
    return ours(table.cells[row, column.task])


def _published_text(number: float) -> str:
    """Two decimals, or one when the second is 0: published tables print 91.7 and 52.25."""
    text = f"{number:.2f}"
    return text[:-1] if text.endswith("0") else text


def to_markdown(table: Table) -> str:
    layout = columns(table)
    header = ["method", *map(_header, layout)]
    lines = [f"_{_title(table.metric)}; mean ± std over seeds, n = number of seeds_", ""]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join(["---"] * len(header)) + "|")
    for row in table.rows:
        cells = [_text(table, row, column, 2, "—", Cell.text) for column in layout]
        lines.append("| " + " | ".join([row, *cells]) + " |")
    notes = reference_notes(table)
    if notes:
        lines += ["", notes[0], "", *(f"- {line}" for line in notes[1:])]
    return "\n".join(lines) + "\n"


def to_csv(table: Table) -> str:
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(
        ["method", "task", "metric", "mean", "std", "n", "values", "published", "delta", "published_source"]
    )
    for (row, task), cell in sorted(table.cells.items()):
        values = " ".join(f"{number:.4f}" for number in cell.values)
        published = table.published(row, task)
        reference = ["", "", ""] if published is None else [
            f"{published:g}", f"{cell.mean - published:.4f}", table.references[task].source,
        ]
        summary = [f"{cell.mean:.4f}", f"{cell.std:.4f}", len(cell.values), values]
        writer.writerow([row, task, table.metric, *summary, *reference])
    return stream.getvalue()


def to_latex(table: Table) -> str:
    layout = columns(table)
    header = [_latex_escape(_header(column)) for column in layout]
    notes = [f"% {_latex_escape(line)}" for line in reference_notes(table)]
    lines = [
        f"% {_title(table.metric)}; mean $\\pm$ std over seeds",
        *notes,
        f"\\begin{{tabular}}{{l{'c' * len(layout)}}}",
        "\\toprule",
        " & ".join(["Method", *header]) + " \\\\",
        "\\midrule",
    ]
    for row in table.rows:
        cells = [_text(table, row, column, 1, "--", _latex_mean_std) for column in layout]
        lines.append(" & ".join([_latex_escape(row), *cells]) + " \\\\")
    lines += ["\\bottomrule", "\\end{tabular}"]
    return "\n".join(lines) + "\n"


def _latex_mean_std(cell: Cell) -> str:
    return f"{cell.mean:.1f}$\\pm${cell.std:.1f}"


def _latex_escape(text: str) -> str:
    """Escape LaTeX's special characters in labels; ``Δ`` becomes ``$\\Delta$``."""
    escaped = text.replace("_", "\\_").replace("&", "\\&").replace("%", "\\%")
    return escaped.replace(DELTA, "$\\Delta$")
