"""Accuracy (classification) and mean absolute error (regression) of a method on a held-out split,
and the outputs the validators score."""

from __future__ import annotations

from typing import Callable, Iterator

import torch

from transferbench.data.augment import Transform
from transferbench.data.domain import Split
from transferbench.methods.base import Method
from transferbench.validation import Outputs


@torch.no_grad()
def accuracy(
    method: Method, split: Split, prepare: Transform, batch_size: int, related: str | None = None,
    candidates: tuple[int, ...] | None = None,
) -> float:
    """Top-1 accuracy in percent, with the method in eval mode; ``prepare`` turns raw batches into
    network input (``Task.eval_inputs``: center crop, then normalisation). ``related`` names the
    related task whose label space to predict (``Method.predict_related``); None: the run's own.
    ``candidates`` restricts the prediction to those classes (a zero-shot task's unseen ones)."""
    correct = 0
    for logits, labels in predictions(method, split, prepare, batch_size, related):
        if candidates is not None:
            allowed = torch.full_like(logits, float("-inf"))
            allowed[:, list(candidates)] = 0.0
            logits = logits + allowed
        correct += (logits.argmax(dim=1) == labels).sum().item()
    return 100.0 * correct / len(split)


@torch.no_grad()
def mean_absolute_error(method: Method, split: Split, prepare: Transform, batch_size: int, related: str) -> float:
    """Mean over examples (and outputs) of |prediction − target| for related regression task
    ``related``, in the labels' unit (degrees for an angle)."""
    total = sum(
        (outputs.view_as(labels) - labels).abs().sum().item()
        for outputs, labels in predictions(method, split, prepare, batch_size, related)
    )
    return total / split.labels.numel()


@torch.no_grad()
def embeddings(method: Method, split: Split, prepare: Transform, batch_size: int, labelled: bool) -> Outputs:
    """The method's logits and features on ``split`` (``Method.embed``), with its labels only
    when ``labelled``, as float64 on the CPU."""
    outputs = [output for output, _ in _batches(method, split, prepare, batch_size, method.embed)]
    logits, features = (torch.cat(parts).double().cpu() for parts in zip(*outputs))
    return Outputs(logits, features, split.labels.cpu() if labelled else None)


def predictions(
    method: Method, split: Split, prepare: Transform, batch_size: int, related: str | None
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """The method's outputs and the labels, batch by batch, with the method in eval mode."""
    forward = method.predict if related is None else lambda inputs: method.predict_related(related, inputs)
    return _batches(method, split, prepare, batch_size, forward)


def _batches(
    method: Method, split: Split, prepare: Transform, batch_size: int, forward: Callable[[torch.Tensor], object]
) -> Iterator[tuple[object, torch.Tensor]]:
    """``forward`` of each prepared batch of ``split`` and its labels, with the method in eval mode."""
    was_training = method.training
    method.eval()
    try:
        for start in range(0, len(split), batch_size):
            inputs = prepare(split.inputs[start : start + batch_size])
            yield forward(inputs), split.labels[start : start + batch_size]
    finally:
        method.train(was_training)
