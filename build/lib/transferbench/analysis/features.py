"""A trained network's representation of each domain, and its 2-D t-SNE map."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from sklearn.manifold import TSNE

from transferbench.data.augment import Transform
from transferbench.data.domain import Split
from transferbench.methods import Method


@dataclass
class Features:
    """``values[i]`` is the representation of an example with class ``labels[i]``."""

    values: np.ndarray
    labels: np.ndarray


@torch.no_grad()
def extract_features(
    method: Method, split: Split, prepare: Transform, count: int, seed: int, batch_size: int = 500
) -> Features:
    """The model's ``features`` output (the bottleneck the head classifies) for ``count`` examples
    of ``split`` drawn without replacement, in eval mode; ``prepare`` is the evaluation pipeline."""
    method.eval()
    index = torch.randperm(len(split), generator=torch.Generator().manual_seed(seed))[:count]
    index = index.to(split.labels.device)
    values = [
        method.model(prepare(split.inputs[chunk])).features.flatten(1).float().cpu()
        for chunk in index.split(batch_size)
    ]
    return Features(torch.cat(values).numpy(), split.labels[index].cpu().numpy())


def tsne_map(values: np.ndarray, seed: int) -> np.ndarray:
    """2-D t-SNE (van der Maaten & Hinton, JMLR 2008) of the rows of ``values``, PCA-initialised."""
    perplexity = min(30.0, (len(values) - 1) / 3)
    return TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(values)
