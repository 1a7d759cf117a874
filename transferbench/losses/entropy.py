"""Shannon entropy of softmax predictions, from logits.

    H(p) = −Σ_c p_c log p_c,   p = softmax(l),

computed as −Σ_c softmax(l)_c · log_softmax(l)_c, which stays finite for saturated logits. The
mean target entropy is AutoDIAL's unsupervised loss (Carlucci et al., ICCV 2017), and H weighs
examples in CDAN+E (Long et al., NeurIPS 2018).
"""

from __future__ import annotations

import torch

from transferbench.losses.precision import in_float32


@in_float32
def entropy(logits: torch.Tensor) -> torch.Tensor:
    """Entropy H(softmax(l)) of each row of an n × C matrix of logits, in nats."""
    log_probabilities = logits.log_softmax(1)
    return -(log_probabilities.exp() * log_probabilities).sum(1)


def mean_entropy(logits: torch.Tensor) -> torch.Tensor:
    """Mean over the rows of H(softmax(l))."""
    return entropy(logits).mean()
