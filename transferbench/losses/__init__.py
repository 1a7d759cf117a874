"""Pure loss functions and modules, each citing its paper; they know nothing of the loop."""

from transferbench.losses.domain_adversarial import DomainAdversarialLoss
from transferbench.losses.grl import GradientReversal, reverse_gradient

__all__ = ["DomainAdversarialLoss", "GradientReversal", "reverse_gradient"]
