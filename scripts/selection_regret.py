"""How much each model selection rule costs against the oracle, over a folder of runs.

    python scripts/selection_regret.py multirun/model_selection [--by task|method]

For each rule (last checkpoint, each validator, oracle; transferbench/analysis/selection.py):
the runs it could select in, the mean target accuracy of the evaluation it picks, the mean and
worst gap to the oracle's pick (best target test accuracy over evaluations, which peeks), and how
often its pick is above, equal to or below the last checkpoint's. --by repeats the mean gap per
task or method. Prints Markdown and writes selection_regret.md into the folder (or --out). Runs
without validators (older ones) are counted only by last and oracle.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from transferbench.analysis.runs import collect_runs
from transferbench.analysis.selection import ORACLE, regret, selection_rules

HEADER = ("rule", "runs", "target acc", "gap to oracle", "worst gap", "> last %", "= last %", "< last %")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", type=Path, help="folder searched recursively for results.json")
    parser.add_argument("--by", choices=("task", "method"), help="also the mean gap to oracle per task or method")
    parser.add_argument("--out", type=Path, help="where to write selection_regret.md (default: the runs folder)")
    args = parser.parse_args(argv)
    if not args.runs.is_dir():
        print(f"error: {args.runs} is not a folder; pass the output dir of a sweep", file=sys.stderr)
        return 2
    results = collect_runs(args.runs).completed
    if not results:
        print(f"error: no completed results.json under {args.runs}", file=sys.stderr)
        return 1
    markdown = regret_table(results) + (gap_table(results, args.by) if args.by else "")
    print(markdown, end="")
    out = args.out or args.runs
    out.mkdir(parents=True, exist_ok=True)
    (out / "selection_regret.md").write_text(markdown)
    print(f"\nwrote {out / 'selection_regret.md'}", file=sys.stderr)
    return 0


def regret_table(results: list[dict[str, Any]]) -> str:
    """One row per rule that could select in some run."""
    lines = [_row(HEADER), _row(["---"] * len(HEADER))]
    for rule in selection_rules():
        found = regret(results, rule)
        if found is None:
            continue
        label = f"{rule} (peeks at target labels)" if rule == ORACLE else rule
        lines.append(_row([
            label, str(found.runs), f"{found.accuracy:.2f}", f"{found.gap:.2f}", f"{found.worst_gap:.2f}",
            f"{found.beats_last:.0f}", f"{found.ties_last:.0f}", f"{found.loses_to_last:.0f}",
        ]))
    return "\n".join(lines) + "\n"


def gap_table(results: list[dict[str, Any]], key: str) -> str:
    """The mean gap to oracle of each rule (columns) in each group of runs (rows)."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for result in results:
        groups[result[key]].append(result)
    rules = [rule for rule in selection_rules() if rule != ORACLE and regret(results, rule)]
    lines = ["", f"Mean gap to oracle by {key}:", "", _row([key, "runs", *rules]), _row(["---"] * (len(rules) + 2))]
    for name in sorted(groups):
        gaps = [regret(groups[name], rule) for rule in rules]
        lines.append(_row([name, str(len(groups[name])), *("—" if g is None else f"{g.gap:.2f}" for g in gaps)]))
    return "\n".join(lines) + "\n"


def _row(cells: Any) -> str:
    return "| " + " | ".join(cells) + " |"


if __name__ == "__main__":
    sys.exit(main())
