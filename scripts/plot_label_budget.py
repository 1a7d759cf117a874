"""Accuracy against labelled images per class (``dataset.labels_per_class``), one line per method.

    python scripts/plot_label_budget.py runs/kt/fashion/few_shot --out docs/results/few_shot_fashion.png

Srinivas & Fleuret's few-shot figure: each table row (a method and the options that differ
between its runs) is a line through the means over seeds, with the sample standard deviation as
error bars; runs with every label (``labels_per_class`` null) are drawn at the right as "all".
Prints the points as a Markdown table (mean ± std, n).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt

from transferbench.analysis.runs import collect_runs
from transferbench.analysis.table import Cell, row_labels

ALL = "all"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", type=Path, help="folder searched recursively for results.json")
    parser.add_argument("--out", type=Path, help="the figure (default: <runs>/label_budget.png)")
    args = parser.parse_args(argv)
    results = collect_runs(args.runs).completed
    if not results:
        print(f"error: no completed results.json under {args.runs}", file=sys.stderr)
        return 1
    curves = budget_curves(results)
    out = args.out or args.runs / "label_budget.png"
    plot(curves, out)
    print(markdown(curves))
    print(f"wrote {out}", file=sys.stderr)
    return 0


def budget_curves(results: list[dict[str, Any]]) -> dict[str, dict[int | str, Cell]]:
    """``{row label: {labels per class or "all": accuracies}}`` of the target accuracy."""
    curves: dict[str, dict[int | str, Cell]] = defaultdict(lambda: defaultdict(lambda: Cell([])))
    for result, label in zip(results, row_labels(results)):
        budget = result["config"].get("dataset", {}).get("labels_per_class") or ALL
        curves[label][budget].values.append(float(result["target_acc"]))
    return curves


def budgets(curves: dict[str, dict[int | str, Cell]]) -> list[int | str]:
    """Every budget of any curve, in increasing order, "all" last."""
    found = {budget for cells in curves.values() for budget in cells}
    return sorted(found - {ALL}) + ([ALL] if ALL in found else [])


def plot(curves: dict[str, dict[int | str, Cell]], out: Path) -> None:
    order = budgets(curves)
    figure, axes = plt.subplots(figsize=(7, 4.5))
    for label, cells in sorted(curves.items()):
        points = [(order.index(b), cells[b]) for b in order if b in cells]
        axes.errorbar([x for x, _ in points], [c.mean for _, c in points], yerr=[c.std for _, c in points],
                      marker="o", capsize=3, label=label)
    axes.set_xticks(range(len(order)), [str(b) for b in order])
    axes.set_xlabel("labelled training images per class")
    axes.set_ylabel("test accuracy (%), last checkpoint")
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=120)
    plt.close(figure)


def markdown(curves: dict[str, dict[int | str, Cell]]) -> str:
    order = budgets(curves)
    lines = ["| method | " + " | ".join(str(b) for b in order) + " |", "|---" * (len(order) + 1) + "|"]
    for label, cells in sorted(curves.items()):
        texts = [cells[b].text() if b in cells else "—" for b in order]
        lines.append(f"| {label} | " + " | ".join(texts) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
