"""Deep CORAL loss (Sun & Saenko, ECCV 2016 Workshops, eq. 1-3).

For source features D_S (n_S × d) and target features D_T (n_T × d), with covariances

    C = (DᵀD − (1ᵀD)ᵀ(1ᵀD) / n) / (n − 1),

the loss is the squared Frobenius distance between second-order statistics,

    ℓ_CORAL = ‖C_S − C_T‖²_F / (4 d²).
"""

from __future__ import annotations

import torch

from transferbench.losses.distributed import over_all_processes
from transferbench.losses.precision import in_float32


@in_float32
def covariance(features: torch.Tensor) -> torch.Tensor:
    """Unbiased d × d covariance of the rows of an n × d matrix (n ≥ 2)."""
    centred = features - features.mean(0, keepdim=True)
    return centred.T @ centred / (len(features) - 1)


@over_all_processes
def coral_loss(source: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """‖C_S − C_T‖²_F / (4 d²) between the covariances of the source and target rows."""
    dimension = source.shape[1]
    return (covariance(source) - covariance(target)).pow(2).sum() / (4 * dimension**2)
