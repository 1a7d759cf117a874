"""Domain discriminators for adversarial methods (DANN, CDAN, domain confusion)."""

from __future__ import annotations

from torch import nn


class DomainDiscriminator(nn.Sequential):
    """MLP that maps a feature to one logit: source (1) versus target (0).

    ``depth`` hidden layers of ``hidden`` units. DANN (Ganin et al., JMLR 2016, §5.2.2) uses
    1024-1024 with ReLU and dropout; TLlib adds BatchNorm after each hidden layer instead.
    """

    def __init__(
        self, in_features: int, hidden: int = 1024, depth: int = 2, batch_norm: bool = True,
        dropout: float = 0.0,
    ) -> None:
        layers: list[nn.Module] = []
        width = in_features
        for _ in range(depth):
            layers.append(nn.Linear(width, hidden))
            if batch_norm:
                layers.append(nn.BatchNorm1d(hidden))
            layers.append(nn.ReLU())
            if dropout:
                layers.append(nn.Dropout(dropout))
            width = hidden
        layers.append(nn.Linear(width, 1))
        super().__init__(*layers)
