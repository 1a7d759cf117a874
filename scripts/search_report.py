"""What an Optuna search (``+search=<method>``) tried: one row per trial, best objective first.

    python scripts/search_report.py multirun/search_dann

Each row: the searched values (``hydra.sweeper.params``), the objective the search maximised
(``objective.name`` of the runs, oriented so larger is better), every validator's score at the
last checkpoint, and the last checkpoint's target accuracy, which the search never saw (shown to
judge the search afterwards; choosing by it would be an oracle). Prints Markdown and writes
search_report.md into the folder.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from transferbench.analysis.runs import collect_runs
from transferbench.objective import is_oracle, objective_value

#: Where each trial's folder keeps Hydra's settings, the sweeper's search space among them.
HYDRA_SETTINGS = ".hydra/hydra.yaml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sweep", type=Path, help="the search's hydra.sweep.dir")
    args = parser.parse_args(argv)
    trials = collect_runs(args.sweep).completed
    settings = sorted(args.sweep.glob(f"*/{HYDRA_SETTINGS}"))
    if not trials or not settings:
        print(f"error: no completed trial under {args.sweep}; pass the hydra.sweep.dir of a -m +search=... run",
              file=sys.stderr)
        return 1
    searched = list(yaml.safe_load(settings[0].read_text())["hydra"]["sweeper"]["params"] or {})
    markdown = report(trials, searched)
    print(markdown, end="")
    (args.sweep / "search_report.md").write_text(markdown)
    return 0


def report(trials: list[dict[str, Any]], searched: list[str]) -> str:
    """The trials as a Markdown table, the best objective first."""
    objective = trials[0]["config"]["objective"]
    validators = sorted({name for trial in trials for name in trial.get("validators", {})})
    scored = sorted(trials, key=lambda trial: -(objective_value(trial, objective) or float("-inf")))
    named = f"{objective['name']}, oracle: peeks at target labels" if is_oracle(trials[0]["config"]) else objective["name"]
    seen = "seen by the search" if is_oracle(trials[0]["config"]) else "unseen by the search"
    header = [*searched, f"objective ({named})", *validators, f"target acc (last, {seen})"]
    lines = [_row(header), _row(["---"] * len(header))]
    for trial in scored:
        value = objective_value(trial, objective)
        lines.append(_row([
            *(_format(_lookup(trial["config"], key)) for key in searched),
            "—" if value is None else f"{value:.4f}",
            *(_format(trial.get("validators", {}).get(name)) for name in validators),
            f"{trial['target_acc']:.2f}",
        ]))
    return "\n".join(lines) + "\n"


def _lookup(config: dict[str, Any], dotted: str) -> Any:
    for key in dotted.split("."):
        config = config.get(key, {}) if isinstance(config, dict) else {}
    return config if config != {} else None


def _format(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


if __name__ == "__main__":
    sys.exit(main())
