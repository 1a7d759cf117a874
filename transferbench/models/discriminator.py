"""Domain discriminators for adversarial methods (DANN, CDAN, domain confusion)."""

from __future__ import annotations

from torch import nn


class DomainDiscriminator(nn.Sequential):
    """MLP that maps a feature to one logit: source (1) versus target (0).

    ``depth`` hidden layers of ``hidden`` units with ReLU and dropout, as in DANN
    (Ganin et al., JMLR 2016, §5.2.2: 1024-1024 for the Office experiments).
    """

    def __init__(self, in_features: int, hidden: int = 1024, depth: int = 2, dropout: float = 0.5) -> None:
        layers: list[nn.Module] = []
        width = in_features
        for _ in range(depth):
            layers += [nn.Linear(width, hidden), nn.ReLU(), nn.Dropout(dropout)]
            width = hidden
        layers.append(nn.Linear(width, 1))
        super().__init__(*layers)
