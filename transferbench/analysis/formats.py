"""Markdown, CSV and LaTeX renderings of a ``Table``, all showing the same numbers.

A task column is followed, for each publication that covers it, by that publication's accuracy
of the row's method (headed by its label) and ``Δ`` (our mean − it); a Δ against a publication
whose protocol (iterations, batch size, model selection) differs from our runs' is marked
``*``. ``Avg`` gets the same for the publications that cover every task. With ``gap_closed``,
``gap %`` follows each task's accuracy. The citations and protocols go under the table (comment
lines in LaTeX); the CSV has them per cell.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Callable

from transferbench.analysis.references import Reference
from transferbench.analysis.selection import VALIDATOR_PREFIX, rule_description
from transferbench.analysis.table import COST_METRICS, Cell, Table
from transferbench.engine.results import ORACLE_METRIC

OURS, PUBLISHED, DELTA, GAP = "ours", "pub.", "Δ", "gap %"
#: Marks a Δ against a publication trained or reported otherwise than our runs.
OTHER_PROTOCOL = "*"


@dataclass(frozen=True)
class Column:
    """One column of the wide table: ``task`` None is the average over tasks; ``reference`` is
    the publication of a published or Δ column."""

    task: str | None
    kind: str
    reference: Reference | None = None


def columns(table: Table) -> list[Column]:
    """Ours for each task (then its gap closed), its publications' numbers and Δs; then Avg, alike
    (a table of one metric)."""
    result = []
    for task in table.tasks:
        result.append(Column(task, OURS))
        if table.gap_closed:
            result.append(Column(task, GAP))
        result += _published_columns(task, table.references.get(task, []))
    if len(table.metrics) > 1:  # an average over different metrics means nothing
        return result
    return result + [Column(None, OURS), *_published_columns(None, table.common_references())]


def _published_columns(task: str | None, references: list[Reference]) -> list[Column]:
    return [Column(task, kind, reference) for reference in references for kind in (PUBLISHED, DELTA)]


def value(table: Table, row: str, column: Column) -> float | None:
    """The number a column shows in a row (our mean, gap closed, published, or their difference)."""
    if column.kind == GAP:
        return table.gap(row, column.task)
    if column.task is None:
        ours = table.average(row)
        published = column.reference and table.published_average(row, column.reference)
    else:
        cell = table.cells.get((row, column.task))
        ours = None if cell is None else cell.mean
        published = column.reference and table.published(row, column.task, column.reference)
    if column.kind == OURS:
        return ours
    if column.kind == PUBLISHED:
        return published
    return None if ours is None or published is None else ours - published


def reference_notes(table: Table) -> list[str]:
    """One line per publication shown: the tasks it covers, its citation and its protocol."""
    covered: dict[str, list[str]] = {}
    shown: dict[str, Reference] = {}
    for task in table.tasks:
        for reference in table.references.get(task, []):
            covered.setdefault(reference.key, []).append(task)
            shown[reference.key] = reference
    if not shown:
        return []
    lines = [
        f"Published accuracy of the same method beside ours, {DELTA} = ours − published; "
        f"{OTHER_PROTOCOL} = the publication trained or selected otherwise than these runs "
        f"(its protocol below), so that {DELTA} is not a method difference alone. Sources:"
    ]
    for key, tasks in covered.items():
        reference = shown[key]
        protocol = f" Protocol: {reference.protocol.text}" if reference.protocol.text else ""
        lines.append(f"{reference.label} ({', '.join(tasks)}): {reference.source}.{protocol}")
    return lines


def _title(table: Table) -> str:
    rules = [rule_description(metric) for metric in table.metrics]
    if any(metric.startswith(VALIDATOR_PREFIX) for metric in table.metrics) and all(rules):
        return "target accuracy (%) at the evaluation a model selection rule picks; " + "; ".join(
            f"{metric}: {rule}" for metric, rule in zip(table.metrics, rules))
    if len(table.metrics) > 1:
        return (f"{', '.join(table.metrics)} (*_acc in %, *_mae in the labels' unit), "
                "model selection: last checkpoint")
    metric = table.metric
    if metric in COST_METRICS:
        return COST_METRICS[metric]
    if metric == ORACLE_METRIC:
        return "oracle: best target test accuracy over evaluations (optimistic, not a valid selection)"
    return f"{metric} (%), model selection: last checkpoint"


def _header(column: Column) -> str:
    if column.kind == OURS:
        return column.task or "Avg"
    return column.reference.label if column.kind == PUBLISHED else column.kind


def _text(
    table: Table, row: str, column: Column, decimals: int, missing: str, ours: Callable[[Cell], str]
) -> str:
    """A cell: ``ours`` of the seeds' cell in task columns, our average, the gap closed, the
    published number as printed, or the signed difference (marked against another protocol);
    ``missing`` where there is none."""
    number = value(table, row, column)
    if number is None:
        return missing
    if column.kind == PUBLISHED:
        return _published_text(number)
    if column.kind == DELTA:
        mark = "" if table.comparable(column.task, column.reference) else OTHER_PROTOCOL
        return f"{number:+.{decimals}f}{mark}"
    if column.kind == GAP or column.task is None:
        return f"{number:.{decimals}f}"
    return ours(table.cells[row, column.task])


def _published_text(number: float) -> str:
    """Two decimals, or one when the second is 0: published tables print 91.7 and 52.25."""
    text = f"{number:.2f}"
    return text[:-1] if text.endswith("0") else text


def to_markdown(table: Table) -> str:
    layout = columns(table)
    header = ["method", *map(_header, layout)]
    lines = [f"_{_title(table)}; mean ± std over seeds, n = number of seeds_", ""]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join(["---"] * len(header)) + "|")
    for row in table.rows:
        cells = [_text(table, row, column, 2, "—", Cell.text) for column in layout]
        lines.append("| " + " | ".join([row, *cells]) + " |")
    if table.gap_closed:
        lines += ["", f"{GAP} = 100 (ours − source_only) / (train_on_target − source_only), from the column's means."]
    notes = reference_notes(table)
    if notes:
        lines += ["", notes[0], "", *(f"- {line}" for line in notes[1:])]
    return "\n".join(lines) + "\n"


def to_csv(table: Table) -> str:
    """One line per cell and publication covering it (one line when none does)."""
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow([
        "method", "task", "metric", "mean", "std", "n", "values", "gap_closed",
        "published", "delta", "same_protocol", "published_source",
    ])
    for (row, task), cell in sorted(table.cells.items()):
        values = " ".join(f"{number:.4f}" for number in cell.values)
        gap = table.gap(row, task)
        summary = [
            row, task, table.column_metrics.get(task, table.metric), f"{cell.mean:.4f}", f"{cell.std:.4f}", len(cell.values), values,
            "" if gap is None else f"{gap:.4f}",
        ]
        published = [
            (reference, table.published(row, task, reference)) for reference in table.references.get(task, [])
        ]
        published = [(reference, number) for reference, number in published if number is not None]
        if not published:
            writer.writerow([*summary, "", "", "", ""])
        for reference, number in published:
            same = table.comparable(task, reference)
            writer.writerow([*summary, f"{number:g}", f"{cell.mean - number:.4f}", same, reference.source])
    return stream.getvalue()


def to_latex(table: Table) -> str:
    layout = columns(table)
    header = [_latex_escape(_header(column)) for column in layout]
    notes = [f"% {_latex_escape(line)}" for line in reference_notes(table)]
    lines = [
        f"% {_title(table)}; mean $\\pm$ std over seeds",
        *notes,
        f"\\begin{{tabular}}{{l{'c' * len(layout)}}}",
        "\\toprule",
        " & ".join(["Method", *header]) + " \\\\",
        "\\midrule",
    ]
    for row in table.rows:
        cells = [_latex_escape(_text(table, row, column, 1, "--", _latex_mean_std)) for column in layout]
        lines.append(" & ".join([_latex_escape(row), *cells]) + " \\\\")
    lines += ["\\bottomrule", "\\end{tabular}"]
    return "\n".join(lines) + "\n"


def _latex_mean_std(cell: Cell) -> str:
    return f"{cell.mean:.1f}$\\pm${cell.std:.1f}"


def _latex_escape(text: str) -> str:
    """Escape LaTeX's special characters in labels; ``Δ`` becomes ``$\\Delta$``."""
    escaped = text.replace("_", "\\_").replace("&", "\\&").replace("%", "\\%")
    return escaped.replace(DELTA, "$\\Delta$")
