"""Schedules as functions of training progress p ∈ [0, 1]."""

from __future__ import annotations

import math


def inverse_decay(progress: float, alpha: float = 10.0, beta: float = 0.75) -> float:
    """DANN's learning-rate annealing factor 1 / (1 + α p)^β (Ganin et al., JMLR 2016, §5.2.2)."""
    return (1.0 + alpha * progress) ** -beta


def constant(progress: float) -> float:
    """No annealing."""
    return 1.0


def adaptation_factor(progress: float, gamma: float = 10.0) -> float:
    """DANN's λ_p = 2 / (1 + exp(−γ p)) − 1, rising from 0 to 1 (JMLR 2016, §5.2.2).

    Suppresses the noisy domain signal of the early, untrained features.
    """
    return 2.0 / (1.0 + math.exp(-gamma * progress)) - 1.0
