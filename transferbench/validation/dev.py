"""Deep embedded validation (DEV; You et al., "Towards Accurate Model Selection in Deep
Unsupervised Domain Adaptation", ICML 2019, Alg. 1). A domain classifier on features estimates
the density ratio w(x) = p_target(x) / p_source(x) = (n_s / n_t) · d(x) / (1 − d(x)), with d(x) its
probability that x is a target example; the source validation losses ℓ_i, weighted to
L_i = w_i ℓ_i, estimate the target risk, and the control variate η = −Cov(L, w) / Var(w) lowers its
variance (E[w] = 1 under the source distribution):

    DEV = mean(L) + η · mean(w) − η.

Lower is better: it estimates the target cross-entropy. The domain classifier is scikit-learn's
logistic regression on standardised features (source training sample against target sample);
the paper leaves its form open."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from transferbench.validation.base import VALIDATORS, Evidence, Validator


@VALIDATORS.register("dev")
class DeepEmbeddedValidation(Validator):
    higher_is_better = False
    needs_source_val = True

    def __call__(self, evidence: Evidence) -> float:
        val = evidence.source_val
        weights = density_ratio(evidence.source.features, evidence.target.features, val.features)
        losses = F.cross_entropy(val.logits, val.labels, reduction="none")
        return dev_risk(losses, weights)


def density_ratio(source: torch.Tensor, target: torch.Tensor, queries: torch.Tensor) -> torch.Tensor:
    """p_target / p_source at ``queries``, from a logistic-regression domain classifier trained
    on ``source`` (label 0) against ``target`` (label 1) features."""
    inputs = torch.cat([source, target]).numpy()
    domains = np.r_[np.zeros(len(source)), np.ones(len(target))]
    classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    classifier.fit(inputs, domains)
    target_probability = torch.from_numpy(classifier.predict_proba(queries.numpy())[:, 1])
    odds = target_probability / (1 - target_probability).clamp_min(1e-12)
    return odds * len(source) / len(target)


def dev_risk(losses: torch.Tensor, weights: torch.Tensor) -> float:
    """The control-variate estimate mean(w ℓ) + η mean(w) − η, η = −Cov(wℓ, w) / Var(w)
    (η = 0 when every weight is equal, or for a single example)."""
    weighted = weights * losses
    if len(weights) < 2:
        return weighted.mean().item()
    variance = weights.var()
    covariance = ((weighted - weighted.mean()) * (weights - weights.mean())).sum() / (len(weights) - 1)
    eta = -covariance / variance if variance > 0 else torch.zeros(())
    return (weighted.mean() + eta * weights.mean() - eta).item()
