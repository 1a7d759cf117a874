"""Information maximisation (IM) of the target predictions (Gomes, Krause & Perona, NIPS 2010;
the validator of Musgrave et al., "Benchmarking Validation Methods for Unsupervised Domain
Adaptation", 2022). With p_i the softmax of target example i and p̄ their mean,

    IM = H(p̄) − (1/N) Σ_i H(p_i),

the mutual information between an example and its predicted class: confident predictions
(low mean entropy) spread over all classes (high entropy of the mean). Higher is better; it is
minus the "mean entropy minus entropy of the mean" loss that IM-based adaptation minimises."""

from __future__ import annotations

from transferbench.validation.base import VALIDATORS, Evidence, Validator, entropy


@VALIDATORS.register("im")
class InformationMaximization(Validator):
    def __call__(self, evidence: Evidence) -> float:
        probabilities = evidence.target.probabilities
        return (entropy(probabilities.mean(dim=0)) - entropy(probabilities).mean()).item()
