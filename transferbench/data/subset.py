"""Subsets of a domain: class subsets, e.g. the disjoint halves A and B of Yosinski et al. (NIPS 2014,
§2), and class-balanced label budgets, e.g. the 100 labelled MNIST digits, 10 per class, of
semi-supervised learning (Kingma et al., NIPS 2014), and a held-out validation split (DomainBed's
training-domain validation, Gulrajani & Lopez-Paz, ICLR 2021)."""

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


def labels_per_class(split: Split, count: int, seed: int, domain: str) -> Split:
    """``count`` examples of each class 0 … max label, drawn without replacement by a generator
    seeded with ``seed`` (the same seed draws the same subset; another seed, another one), kept in
    their original order. ``domain`` names the split in errors."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise UserError(
            f"dataset.labels_per_class={count!r} must be a positive integer (labelled source examples "
            "per class), or null for all labels"
        )
    per_class = torch.bincount(split.labels.cpu())
    fewest = int(per_class.argmin())
    have = int(per_class[fewest])
    if have < count:
        fix = f"choose at most {have}" if have else "leave it null for this domain"
        raise UserError(
            f"dataset.labels_per_class={count} exceeds the {have} training examples of class {fewest} "
            f"in domain {domain}; {fix}"
        )
    generator = torch.Generator().manual_seed(seed)
    shuffled = torch.randperm(len(split), generator=generator)
    by_class = shuffled[torch.argsort(split.labels.cpu()[shuffled], stable=True)]
    rank = torch.arange(len(split)) - (per_class.cumsum(0) - per_class).repeat_interleave(per_class)
    return split.take(by_class[rank < count].sort().values)


def hold_out(domain: Domain, fraction: float | None, seed: int, name: str) -> Domain:
    """``domain`` with ``fraction`` of its training examples, drawn by a generator seeded with
    ``seed``, moved into ``val`` (kept in their original order); None or 0: no validation split."""
    if not fraction:
        return domain
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 < fraction < 1:
        raise UserError(
            f"dataset.source_val={fraction!r} must be a fraction in (0, 1) of the source training data "
            "to hold out for validation, or null for none"
        )
    count = round(fraction * len(domain.train))
    if not 0 < count < len(domain.train):
        raise UserError(
            f"dataset.source_val={fraction} holds out {count} of the {len(domain.train)} training examples "
            f"of {name}; choose a fraction that leaves some on both sides"
        )
    order = torch.randperm(len(domain.train), generator=torch.Generator().manual_seed(seed))
    val, train = order[:count].sort().values, order[count:].sort().values
    return Domain(domain.train.take(train), domain.test, domain.train.take(val))


def fixed_draw(split: Split, count: int, seed: int) -> Split:
    """``count`` examples of ``split`` drawn by a generator seeded with ``seed``, in their original
    order (all of them when it has fewer)."""
    if len(split) <= count:
        return split
    return split.take(torch.randperm(len(split), generator=torch.Generator().manual_seed(seed))[:count].sort().values)
