"""Turn a folder of runs (e.g. a multirun sweep) into a methods × tasks table.

    python scripts/make_table.py multirun/2026-11-23_10-00-00

Prints Markdown and writes table.md, table.csv and table.tex into the folder (or --out).
Published numbers (transferbench/analysis/references.yaml) appear beside ours, one column per
publication, with `Δ` = ours − published; a Δ against a publication trained or selected otherwise
(iterations, batch size, last vs best-on-test model) is marked `*`, and each publication's source
and protocol are named under the table; --no-references leaves them out. --gap-closed adds the
DANN paper's "% of gap closed" between the source_only and train_on_target rows. --select RULE
reports the target accuracy at the evaluation a model selection rule picks (last, a validator such
as source_val, im, snd or dev, or oracle; transferbench/analysis/selection.py), a column per rule
when several are given; a run that did not record a rule's validator leaves that cell "—".
Failed, unfinished and still running runs are listed under the table, never dropped silently.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from transferbench.analysis.formats import to_csv, to_latex, to_markdown
from transferbench.analysis.references import REFERENCES_FILE, choose_references, load_references
from transferbench.analysis.runs import RunCollection, collect_runs
from transferbench.analysis.selection import selection_metric, selection_rules, with_selections
from transferbench.analysis.table import COST_METRICS, Table, build_table
from transferbench.engine.loop import METRICS as RELATED_METRICS
from transferbench.engine.results import ORACLE_METRIC
from transferbench.errors import UserError

TARGET_METRICS = ("target_acc", ORACLE_METRIC)
METRICS = (*TARGET_METRICS, "source_acc", *COST_METRICS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", type=Path, help="folder searched recursively for results.json")
    parser.add_argument("--metric", nargs="+", default=["target_acc"], type=metric_name,
                        help="target_acc = last checkpoint (default); oracle_target_acc = best on test, "
                             "labelled oracle; wall_time_s, train_time_s, train_images_per_s = cost per run; "
                             "<name>_acc = a related task's accuracy (old_acc: the old task of a continual run), "
                             "<name>_mae = a related regression task's mean absolute error. "
                             "Several metrics give each task a column per metric (--metric old_acc target_acc)")
    parser.add_argument("--select", nargs="+", choices=selection_rules(), metavar="RULE",
                        help="target accuracy at the evaluation each rule picks, a column per rule: "
                             f"{', '.join(selection_rules())} (oracle peeks at target labels); replaces --metric")
    parser.add_argument("--out", type=Path, help="where to write table.{md,csv,tex} (default: the runs folder)")
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--no-references", action="store_true", help="leave out the published numbers")
    choice.add_argument("--references", nargs="+", metavar="KEY",
                        help="blocks of the references file to use, the first covering a task wins "
                             "(default: all, in file order); target metrics only")
    parser.add_argument("--references-file", type=Path, default=REFERENCES_FILE,
                        help="published numbers in the layout of the default, %(default)s")
    parser.add_argument("--gap-closed", action="store_true",
                        help="after each task's accuracy, 100 (acc - source_only) / (train_on_target - "
                             "source_only), from the column's means (target metrics only)")
    args = parser.parse_args(argv)
    if not args.runs.is_dir():
        print(f"error: {args.runs} is not a folder; pass the output dir of a run or sweep", file=sys.stderr)
        return 2
    runs = collect_runs(args.runs)
    if not runs.completed:
        print(f"error: no completed results.json under {args.runs}", file=sys.stderr)
        print(problems_report(runs), end="", file=sys.stderr)
        return 1
    results = runs.completed
    if args.select:
        args.metric = [selection_metric(rule) for rule in args.select]
        results = [with_selections(result, args.select) for result in results]
    missing = [metric for metric in args.metric if all(metric not in result for result in results)]
    if missing and not args.select:
        print(f"error: --metric {missing[0]}: no run under {args.runs} records it "
              "(a related task's accuracy is recorded only by runs that have that task)", file=sys.stderr)
        return 2
    table = build_table(results, args.metric, all_rows=bool(args.select))
    target = args.metric[0] if len(args.metric) == 1 and args.metric[0] in TARGET_METRICS else None
    table = dataclasses.replace(table, gap_closed=args.gap_closed and target is not None)
    if target and not args.no_references:
        try:
            table = with_references(table, args.references_file, args.references)
        except UserError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    markdown = to_markdown(table) + problems_report(runs)
    print(markdown, end="")
    out = args.out or args.runs
    out.mkdir(parents=True, exist_ok=True)
    stem = "table" if args.metric == ["target_acc"] else "table_" + "_".join(args.metric)
    (out / f"{stem}.md").write_text(markdown)
    (out / f"{stem}.csv").write_text(to_csv(table))
    (out / f"{stem}.tex").write_text(to_latex(table))
    print(f"\nwrote {out / stem}.md, {stem}.csv and {stem}.tex", file=sys.stderr)
    return 0


def metric_name(name: str) -> str:
    """A metric ``results.json`` records: one of ``METRICS`` or a related task's ``<name>_acc``
    (``<name>_mae`` for a regression task)."""
    if name not in METRICS and not name.endswith(RELATED_METRICS):
        raise argparse.ArgumentTypeError(
            f"{name!r} is not a metric; choose from {', '.join(METRICS)}, <task>_acc or <task>_mae"
        )
    return name


def with_references(table: Table, path: Path, keys: list[str] | None) -> Table:
    """The table with a published column beside each task for each publication covering it."""
    chosen = choose_references(load_references(path), set(table.task_names.values()), keys)
    columns = {column: chosen[task] for column, task in table.task_names.items() if task in chosen}
    return dataclasses.replace(table, references=columns)


def problems_report(runs: RunCollection) -> str:
    lines = []
    if runs.failed:
        lines.append(f"\n**Failed runs ({len(runs.failed)}):**\n")
        lines += [f"- `{path}`: {error}" for path, error in runs.failed]
    if runs.unfinished:
        lines.append(f"\n**Unfinished runs ({len(runs.unfinished)}), no results.json:**\n")
        lines += [f"- `{path}`" for path in runs.unfinished]
    if runs.running:
        lines.append(f"\n**Running now ({len(runs.running)}), held by a live process:**\n")
        lines += [f"- `{path}`" for path in runs.running]
    return "\n".join(lines) + ("\n" if lines else "")


if __name__ == "__main__":
    sys.exit(main())
