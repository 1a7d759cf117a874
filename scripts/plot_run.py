"""Plots and the proxy A-distance of finished runs, written into each run dir.

    python scripts/plot_run.py RUN_DIR [RUN_DIR ...]

For every run: curves.png (target and source test accuracy at each evaluation, from results.json,
and below it each validator's score with the evaluation it selects starred),
tsne.png (t-SNE of the trained network's features of up to --samples test examples per domain,
coloured by domain and by class) and a_distance.json (proxy A-distance of those features, also
printed). With several runs (e.g. source_only and dann on one task), tsne_comparison.png shows
their maps side by side in --out (default: the folder that holds them all).
The network is rebuilt from the run's config and checkpoint.pt; the data is read from the run's
data.root unless --data-root says otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from transferbench.analysis.a_distance import CLASSIFIER, ProxyADistance, proxy_a_distance
from transferbench.analysis.features import extract_features, tsne_map
from transferbench.analysis.plots import FeatureMap, plot_curves, plot_feature_maps
from transferbench.experiment import Experiment
from transferbench.layout import completed_results
from transferbench.errors import UserError
from transferbench.files import write_json

CURVES, TSNE, A_DISTANCE, COMPARISON = "curves.png", "tsne.png", "a_distance.json", "tsne_comparison.png"


@dataclass
class RunAnalysis:
    run_dir: Path
    results: dict[str, Any]
    feature_map: FeatureMap
    distance: ProxyADistance


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", type=Path, nargs="+", metavar="RUN_DIR", help="a finished run's output dir")
    parser.add_argument("--samples", type=int, default=1000, help="test examples per domain (default: 1000)")
    parser.add_argument("--seed", type=int, default=0, help="for the subsample, the A-distance split and t-SNE")
    parser.add_argument("--device", default="cpu", help="where the network runs (default: %(default)s)")
    parser.add_argument("--data-root", type=Path, help="data folder, instead of the run's data.root")
    parser.add_argument("--out", type=Path, help=f"folder for {COMPARISON} (default: the runs' common folder)")
    args = parser.parse_args(argv)
    if args.samples < 2:
        print("error: --samples must be at least 2", file=sys.stderr)
        return 2
    try:
        analyses = [analyse(run_dir, args) for run_dir in args.runs]
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if len(analyses) > 1:
        out = args.out or Path(os.path.commonpath([run_dir.resolve() for run_dir in args.runs]))
        out.mkdir(parents=True, exist_ok=True)
        plot_feature_maps([analysis.feature_map for analysis in analyses], out / COMPARISON)
        print(f"wrote {out / COMPARISON}", file=sys.stderr)
    Console().print(summary(analyses))
    return 0


def analyse(run_dir: Path, args: argparse.Namespace) -> RunAnalysis:
    """Write the run's curves, t-SNE map and proxy A-distance; return them for the summary."""
    run = Experiment.restore(run_dir, args.device, args.data_root)
    results = completed_results(run_dir)
    title = f"{results['method']} on {results['task']} (seed {results['seed']})"
    plot_curves(results["history"], title, run_dir / CURVES)
    source_split, target_split = run.task.source.test, run.task.target.test
    count = min(args.samples, len(source_split), len(target_split))
    source = extract_features(run.method, source_split, run.task.eval_inputs, count, args.seed)
    target = extract_features(run.method, target_split, run.task.eval_inputs, count, args.seed + 1)
    distance = proxy_a_distance(source.values, target.values, args.seed)
    write_json(run_dir / A_DISTANCE, {
        "proxy_a_distance": distance.distance, "test_error": distance.test_error,
        "examples_per_domain": count, "split": "test", "layer": "features", "classifier": CLASSIFIER,
        "seed": args.seed,
    })
    points = tsne_map(np.concatenate([source.values, target.values]), args.seed)
    domains = np.repeat([0, 1], count)
    feature_map = FeatureMap(title, points, domains, np.concatenate([source.labels, target.labels]))
    plot_feature_maps([feature_map], run_dir / TSNE)
    print(f"wrote {run_dir / CURVES}, {TSNE} and {A_DISTANCE}", file=sys.stderr)
    return RunAnalysis(run_dir, results, feature_map, distance)


def summary(analyses: list[RunAnalysis]) -> Table:
    table = Table()
    for name in ("method", "task", "seed", "target acc", "proxy A-distance", "domain error"):
        table.add_column(name, no_wrap=True)
    table.add_column("run", overflow="fold")
    for analysis in analyses:
        results, distance = analysis.results, analysis.distance
        table.add_row(
            results["method"], results["task"], str(results["seed"]), f"{results['target_acc']:.2f}",
            f"{distance.distance:.3f}", f"{distance.test_error:.3f}", str(analysis.run_dir),
        )
    return table


if __name__ == "__main__":
    sys.exit(main())
