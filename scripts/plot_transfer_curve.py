"""Draw Yosinski et al.'s transferability figure (NIPS 2014, Fig. 2) from a folder of runs.

    python scripts/plot_transfer_curve.py runs/yosinski --out docs/yosinski_fashion.png

Accuracy on the target task B against n, the number of blocks copied from a base network, for
BnB / BnB+ (copied from baseB, frozen / fine-tuned) and AnB / AnB+ (copied from baseA), one dot per
run (seed) and a line through the means; baseB (trained on B from scratch) is the dots at n = 0 and
the dashed line. Runs are recognised from their results.json: ``method=finetune`` runs with
``backbone.weights`` are transfers (the base is the run those weights name), ``source_only`` runs
on their task are baseB. Prints the means as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt

from transferbench.analysis.runs import collect_runs
from transferbench.errors import UserError
from transferbench.layout import RESULTS_FILE

#: Condition → (colour, x offset), after the paper's figure: blues copy from B, reds from A;
#: dark = frozen, light = fine-tuned ("+").
STYLE = {
    "BnB": ("#1f3c88", -0.15), "BnB+": ("#6fa8dc", -0.05),
    "AnB": ("#a11d21", 0.05), "AnB+": ("#f4a6a6", 0.15),
}


@dataclass
class Curves:
    """Accuracies on the target task: baseB's, and each condition's by n."""

    target: str
    source: str | None = None
    base: list[float] = field(default_factory=list)
    points: dict[str, dict[int, list[float]]] = field(default_factory=lambda: defaultdict(_by_n))


def _by_n() -> dict[int, list[float]]:
    return defaultdict(list)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", type=Path, help="folder searched recursively for results.json")
    parser.add_argument("--out", type=Path, help="the figure (default: <runs>/transfer_curve.png)")
    args = parser.parse_args(argv)
    try:
        curves = transfer_curves(collect_runs(args.runs).completed)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    out = args.out or args.runs / "transfer_curve.png"
    plot(curves, out)
    print(markdown(curves))
    print(f"wrote {out}", file=sys.stderr)
    return 0


def transfer_curves(results: list[dict[str, Any]]) -> Curves:
    """Sort completed runs into baseB and the four transfer conditions."""
    transfers = [r for r in results if r["method"] == "finetune" and r["config"]["backbone"].get("weights")]
    targets = sorted({r["task"] for r in transfers})
    if len(targets) != 1:
        found = ", ".join(targets) or "none"
        raise UserError(f"expected finetune runs with backbone.weights to one task, found: {found}")
    curves = Curves(target=targets[0])
    scratch = [r for r in results if r["method"] == "source_only" and r["task"] == curves.target]
    curves.base = [r["target_acc"] for r in scratch]
    for run in transfers:
        base_task = _base_task(run["config"]["backbone"]["weights"])
        if base_task != curves.target:
            curves.source = base_task
        method = run["config"]["method"]
        if not isinstance(method["copy"], int):
            raise UserError(f"{run['run_dir']}: method.copy={method['copy']}; the curve needs block counts n")
        tuned = "+" if method["copied"] == "finetune" else ""
        label = ("B" if base_task == curves.target else "A") + "nB" + tuned
        curves.points[label][method["copy"]].append(run["target_acc"])
    return curves


def _base_task(weights: str) -> str:
    """The task the base network was trained on, from its run's results.json."""
    run_dir = Path(weights) if Path(weights).is_dir() else Path(weights).parent
    path = run_dir / RESULTS_FILE
    if not path.is_file():
        raise UserError(f"the base run {run_dir} of a transfer run has no {RESULTS_FILE}")
    return json.loads(path.read_text())["task"]


def plot(curves: Curves, out: Path) -> None:
    figure, axes = plt.subplots(figsize=(8, 4.5))
    if curves.base:
        axes.axhline(statistics.mean(curves.base), color="0.4", linestyle="--", linewidth=1)
        axes.scatter(
            [0] * len(curves.base), curves.base, facecolors="white", edgecolors="black", zorder=3, label="baseB"
        )
    for label, (colour, offset) in STYLE.items():
        by_n = curves.points.get(label)
        if not by_n:
            continue
        ns = sorted(by_n)
        for n in ns:
            axes.scatter([n + offset] * len(by_n[n]), by_n[n], color=colour, s=22, zorder=3)
        axes.plot([n + offset for n in ns], [statistics.mean(by_n[n]) for n in ns], color=colour, label=label)
    ns = sorted({n for by_n in curves.points.values() for n in by_n})
    axes.set_xticks([0, *ns])
    axes.set_xlabel("layer n at which the network is chopped and retrained")
    axes.set_ylabel(f"top-1 accuracy on {curves.target} (%)")
    source = f"A = {curves.source}, " if curves.source else ""
    axes.set_title(f"Transferability of features ({source}B = {curves.target})")
    axes.grid(alpha=0.3)
    axes.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=150)
    plt.close(figure)


def markdown(curves: Curves) -> str:
    """Mean ± sample std (runs) of every condition at every n, and baseB."""
    ns = sorted({n for by_n in curves.points.values() for n in by_n})
    lines = ["| condition | " + " | ".join(f"n={n}" for n in ns) + " |", "|---|" + "---|" * len(ns)]
    for label in STYLE:
        by_n = curves.points.get(label, {})
        lines.append(f"| {label} | " + " | ".join(_cell(by_n.get(n, [])) for n in ns) + " |")
    lines.append(f"\nbaseB: {_cell(curves.base)}")
    return "\n".join(lines)


def _cell(values: list[float]) -> str:
    if not values:
        return "—"
    spread = f" ± {statistics.stdev(values):.2f}" if len(values) > 1 else ""
    return f"{statistics.mean(values):.2f}{spread} ({len(values)})"


if __name__ == "__main__":
    sys.exit(main())
