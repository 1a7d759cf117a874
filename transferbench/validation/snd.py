"""Soft neighbourhood density (SND; Saito et al., "Tune it the Right Way: Unsupervised Validation
of Domain Adaptation via Soft Neighborhood Density", ICCV 2021, §3.2). With f_i the L2-normalised
softmax output of target example i, similarities s_ij = f_i·f_j (j ≠ i) and the soft neighbour
distribution P_ij = exp(s_ij/τ) / Σ_{k≠i} exp(s_ik/τ),

    SND = −(1/N) Σ_i Σ_{j≠i} P_ij log P_ij,

high when every example has many close neighbours (dense clusters). Higher is better; τ = 0.05
as in the paper."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from transferbench.validation.base import VALIDATORS, Evidence, Validator, entropy


@VALIDATORS.register("snd")
class SoftNeighborhoodDensity(Validator):
    def __init__(self, temperature: float = 0.05) -> None:
        self.temperature = temperature

    def __call__(self, evidence: Evidence) -> float:
        normalized = F.normalize(evidence.target.probabilities, dim=1)
        similarity = normalized @ normalized.T
        similarity.fill_diagonal_(float("-inf"))
        neighbours = torch.softmax(similarity / self.temperature, dim=1)
        return entropy(neighbours).mean().item()
