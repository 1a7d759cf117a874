"""Class subsets of a domain, e.g. the disjoint halves A and B of Yosinski et al. (NIPS 2014, §2)."""

from __future__ import annotations

from typing import Sequence

import torch

from transferbench.data.domain import Domain, Split
from transferbench.errors import UserError


def select_classes(domain: Domain, classes: Sequence[int], dataset: str) -> Domain:
    """The examples of ``classes`` only, relabelled 0 … len(classes) − 1 in the order given."""
    classes = list(classes)
    known = int(domain.train.labels.max()) + 1
    if not classes or len(set(classes)) != len(classes) or not all(0 <= c < known for c in classes):
        raise UserError(
            f"{dataset} option classes={classes} must list distinct class indices in 0..{known - 1}"
        )
    return Domain(_select(domain.train, classes), _select(domain.test, classes))


def _select(split: Split, classes: list[int]) -> Split:
    relabel = torch.full((max(max(classes), int(split.labels.max())) + 1,), -1, dtype=torch.int64)
    relabel[classes] = torch.arange(len(classes))
    labels = relabel[split.labels]
    keep = labels >= 0
    return Split(split.inputs[keep], labels[keep])
