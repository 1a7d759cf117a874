"""Proxy A-distance between two feature distributions.

Ben-David et al., "Analysis of Representations for Domain Adaptation" (NIPS 19, 2007), estimate the
A-distance with a domain classifier; Ganin et al. (JMLR 2016) use it to compare representations:
train a linear classifier to tell source from target on one half of the examples, measure its
error ε on the other half, and report d_A = 2(1 − 2ε): 2 for separable domains, 0 when the
classifier can do no better than chance (slightly negative values are noise).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

CLASSIFIER = "standardised features, logistic regression (scikit-learn)"


@dataclass
class ProxyADistance:
    distance: float
    test_error: float
    examples_per_domain: tuple[int, int]


def proxy_a_distance(source: np.ndarray, target: np.ndarray, seed: int = 0) -> ProxyADistance:
    """d_A = 2(1 − 2ε) of a linear domain classifier trained on a stratified half, tested on the rest."""
    inputs = np.concatenate([source, target])
    domains = np.concatenate([np.zeros(len(source), dtype=int), np.ones(len(target), dtype=int)])
    train_x, test_x, train_y, test_y = train_test_split(
        inputs, domains, test_size=0.5, stratify=domains, random_state=seed
    )
    classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    error = 1.0 - classifier.fit(train_x, train_y).score(test_x, test_y)
    return ProxyADistance(2.0 * (1.0 - 2.0 * error), error, (len(source), len(target)))
