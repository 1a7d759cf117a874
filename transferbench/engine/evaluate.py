"""Classification accuracy of a method on a held-out split."""

from __future__ import annotations

import torch

from transferbench.data.augment import Transform
from transferbench.data.domain import Split
from transferbench.methods.base import Method


@torch.no_grad()
def accuracy(
    method: Method, split: Split, prepare: Transform, batch_size: int, related: str | None = None
) -> float:
    """Top-1 accuracy in percent, with the method in eval mode; ``prepare`` turns raw batches into
    network input (``Task.eval_inputs``: center crop, then normalisation). ``related`` names the
    related task whose label space to predict (``Method.predict_related``); None: the run's own."""
    was_training = method.training
    method.eval()
    correct = 0
    for start in range(0, len(split), batch_size):
        inputs = prepare(split.inputs[start : start + batch_size])
        logits = method.predict(inputs) if related is None else method.predict_related(related, inputs)
        predictions = logits.argmax(dim=1)
        correct += (predictions == split.labels[start : start + batch_size]).sum().item()
    method.train(was_training)
    return 100.0 * correct / len(split)
