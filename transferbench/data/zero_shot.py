"""Zero-shot class splits: train on the seen classes, test on classes never seen, described by data.

A zero-shot task (``dataset.zero_shot``) names a class-description matrix (``descriptions/<name>.yaml``,
one attribute vector per class, with its source) and its unseen classes: listed, or ``unseen_count``
of them drawn with ``split`` (a seed; null: the run's seed, so that each seed has its own split).
Every training split keeps the seen classes only, the unlabelled one included, so no image of an
unseen class is ever trained on (inductive zero-shot learning). The evaluations follow Xian et al.
(CVPR 2017, "Zero-Shot Learning — The Good, the Bad and the Ugly"):

- ``target_acc``: the unseen classes' test images, predicted among the unseen classes only (ZSL);
- ``source_acc``: the seen classes' test images, predicted among the seen classes only;
- ``seen_acc`` and ``unseen_acc``: the same images predicted among all classes (generalised ZSL),
  and ``harmonic_acc`` = 2 · seen · unseen / (seen + unseen).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import torch
import yaml

from transferbench.data.domain import Domain, Split
from transferbench.errors import UserError

DESCRIPTIONS_FOLDER = Path(__file__).parent / "descriptions"
#: The name of the head that predicts a zero-shot task's attributes (``ModelOutput.heads``).
ATTRIBUTES = "attributes"


def load_descriptions(name: str, num_classes: int) -> torch.Tensor:
    """The ``(num_classes, attributes)`` float matrix of ``descriptions/<name>.yaml``; a class
    without a description, or a description of another length, is one line."""
    path = DESCRIPTIONS_FOLDER / f"{name}.yaml"
    if not path.is_file():
        known = sorted(file.stem for file in DESCRIPTIONS_FOLDER.glob("*.yaml"))
        raise UserError(f"dataset.zero_shot.descriptions={name} is unknown; choose one of: {', '.join(known)}")
    data = yaml.safe_load(path.read_text())
    rows, width = data["classes"], len(data["attributes"])
    for label in range(num_classes):
        if label not in rows:
            raise UserError(f"class {label} has no description in {path.name}; describe every class of the task")
        if len(rows[label]) != width:
            raise UserError(f"class {label}'s description in {path.name} has {len(rows[label])} values, not {width}")
    return torch.tensor([rows[label] for label in range(num_classes)], dtype=torch.float32)


def unseen_classes(spec: Mapping[str, Any], num_classes: int, seed: int = 0) -> tuple[int, ...]:
    """The unseen classes ``spec`` lists, or ``unseen_count`` of them drawn with ``split`` (null:
    the run's ``seed``, so that each seed is its own class split and tables pool them as seeds)."""
    listed = spec.get("unseen")
    if listed is not None:
        unseen = tuple(sorted({int(label) for label in listed}))
        if not unseen or unseen[0] < 0 or unseen[-1] >= num_classes or len(unseen) >= num_classes:
            raise UserError(
                f"dataset.zero_shot.unseen={list(listed)} must name some but not all of the classes 0-{num_classes - 1}"
            )
        return unseen
    count = int(spec.get("unseen_count", 0))
    if not 0 < count < num_classes:
        raise UserError(f"dataset.zero_shot.unseen_count={count} must lie in [1, {num_classes - 1}]")
    split = spec.get("split")
    generator = torch.Generator().manual_seed(int(seed if split is None else split))
    return tuple(sorted(torch.randperm(num_classes, generator=generator)[:count].tolist()))


def keep_classes(split: Split, classes: tuple[int, ...]) -> Split:
    """The examples of ``split`` whose label is one of ``classes`` (labels unchanged)."""
    mask = torch.isin(split.labels, torch.tensor(classes, dtype=split.labels.dtype))
    return Split(split.inputs[mask], split.labels[mask])


def zero_shot_domains(source: Domain, target: Domain, unseen: tuple[int, ...], num_classes: int) -> dict[str, Any]:
    """The splits of a zero-shot task: training on the seen classes only, the source's test split
    on the seen classes, the target's on the unseen ones; the generalised evaluations on both."""
    seen = tuple(label for label in range(num_classes) if label not in unseen)
    source = Domain(keep_classes(source.train, seen), keep_classes(source.test, seen))
    target = Domain(keep_classes(target.train, seen), keep_classes(target.test, unseen))
    check_no_unseen_training(source, target, unseen)
    return {
        "source": source,
        "target": target,
        "candidates": {"source": seen, "target": unseen},
        "evaluations": {"seen": source.test, "unseen": target.test},
    }


def check_no_unseen_training(source: Domain, target: Domain, unseen: tuple[int, ...]) -> None:
    """No training split may hold an image of an unseen class."""
    for role, domain in (("source", source), ("target", target)):
        leaked = set(domain.train.labels.unique().tolist()) & set(unseen)
        if leaked:
            raise UserError(
                f"unseen class {min(leaked)} is in the {role} training split of a zero-shot task; "
                "unseen classes must stay out of training"
            )


def harmonic_mean(record: Mapping[str, Any]) -> dict[str, float]:
    """Generalised zero-shot learning's summary: the harmonic mean of seen and unseen accuracy."""
    seen, unseen = record["seen_acc"], record["unseen_acc"]
    return {"harmonic_acc": 0.0 if seen + unseen == 0 else 2 * seen * unseen / (seen + unseen)}

