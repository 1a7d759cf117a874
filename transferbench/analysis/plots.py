"""Figures of finished runs: accuracy curves and t-SNE maps of source and target features."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from transferbench.analysis.selection import selected_evaluation

DOMAIN_COLOURS = ("tab:blue", "tab:orange")


@dataclass
class FeatureMap:
    """2-D ``points`` of one run; ``domains`` is 0 (source) or 1 (target), ``labels`` the classes."""

    title: str
    points: np.ndarray
    domains: np.ndarray
    labels: np.ndarray


def plot_curves(history: list[dict[str, Any]], title: str, path: Path) -> None:
    """Target and source test accuracy at every evaluation of a run; below, one panel per
    validator the run recorded, its score at each evaluation with the one it selects starred and
    the target accuracy there named."""
    validators = sorted({name for record in history for name in record.get("validators", {})})
    figure = Figure(figsize=(6, 4 + 1.6 * len(validators)), layout="constrained")
    axes, *panels = figure.subplots(1 + len(validators), 1, sharex=True, squeeze=False,
                                    height_ratios=[2.5] + [1] * len(validators))[:, 0]
    iterations = [record["iteration"] for record in history]
    for domain, name in ((1, "target"), (0, "source")):
        accuracies = [record[f"{name}_acc"] for record in history]
        axes.plot(iterations, accuracies, marker="o", label=name, color=DOMAIN_COLOURS[domain])
    axes.set(ylabel="test accuracy (%)", title=title)
    axes.grid(alpha=0.3)
    axes.legend()
    for panel, name in zip(panels, validators):
        _validator_panel(panel, history, name)
    (panels[-1] if panels else axes).set_xlabel("iteration")
    figure.savefig(path, dpi=120)


def _validator_panel(axes: Any, history: list[dict[str, Any]], name: str) -> None:
    scored = [record for record in history if name in record.get("validators", {})]
    axes.plot([r["iteration"] for r in scored], [r["validators"][name] for r in scored], marker=".", color="tab:gray")
    picked = selected_evaluation({"history": history}, name)
    axes.plot(picked["iteration"], picked["validators"][name], marker="*", markersize=12, color="tab:red")
    axes.set(ylabel=name, title=f"{name} selects iteration {picked['iteration']}: target {picked['target_acc']:.2f}%")
    axes.title.set_fontsize(9)
    axes.grid(alpha=0.3)


def plot_feature_maps(maps: list[FeatureMap], path: Path) -> None:
    """One column per run: points coloured by domain (top) and by class (bottom)."""
    figure = Figure(figsize=(5 * len(maps), 9.5), layout="constrained")
    grid = figure.subplots(2, len(maps), squeeze=False)
    for column, feature_map in enumerate(maps):
        _by_domain(grid[0, column], feature_map)
        _by_class(grid[1, column], feature_map)
    figure.savefig(path, dpi=120)


def _by_domain(axes: Any, feature_map: FeatureMap) -> None:
    for domain, name in enumerate(("source", "target")):
        points = feature_map.points[feature_map.domains == domain]
        axes.scatter(points[:, 0], points[:, 1], s=4, alpha=0.5, color=DOMAIN_COLOURS[domain], label=name)
    axes.set(title=f"{feature_map.title}\nby domain", xticks=[], yticks=[])
    axes.legend(markerscale=3)


def _by_class(axes: Any, feature_map: FeatureMap) -> None:
    classes = int(feature_map.labels.max()) + 1
    colours = "tab10" if classes <= 10 else "turbo"
    for domain, marker in enumerate(("o", "x")):
        chosen = feature_map.domains == domain
        axes.scatter(
            feature_map.points[chosen, 0], feature_map.points[chosen, 1], c=feature_map.labels[chosen],
            cmap=colours, vmin=0, vmax=max(classes - 1, 1), s=6, alpha=0.6, marker=marker,
        )
    axes.set(title="by class (o source, x target)", xticks=[], yticks=[])
