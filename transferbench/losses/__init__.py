"""Pure loss functions and modules, each citing its paper; they know nothing of the loop."""

from transferbench.losses.conditional import (
    RandomizedMultilinearMap,
    entropy_weights,
    multilinear_map,
)
from transferbench.losses.attention import (
    activation_transfer_loss,
    attention_map,
    attention_transfer_loss,
)
from transferbench.losses.coral import coral_loss, covariance
from transferbench.losses.distillation import distillation_loss, softened_divergence
from transferbench.losses.domain_adversarial import DomainAdversarialLoss
from transferbench.losses.entropy import entropy, mean_entropy
from transferbench.losses.grl import GradientReversal, reverse_gradient
from transferbench.losses.jacobian import input_gradient, jacobian_matching_loss
from transferbench.losses.kernels import (
    GaussianKernel,
    Kernel,
    LinearKernel,
    MultipleGaussianKernel,
    base_bandwidth,
    gaussian_kernel,
    linear_kernel,
    squared_distances,
)
from transferbench.losses.mmd import (
    AdversarialJointMMD,
    JointMMD,
    MultipleKernelMMD,
    mmd2_linear,
    mmd2_quadratic,
)

__all__ = [
    "AdversarialJointMMD",
    "DomainAdversarialLoss",
    "GaussianKernel",
    "GradientReversal",
    "JointMMD",
    "Kernel",
    "LinearKernel",
    "MultipleGaussianKernel",
    "MultipleKernelMMD",
    "RandomizedMultilinearMap",
    "activation_transfer_loss",
    "attention_map",
    "attention_transfer_loss",
    "base_bandwidth",
    "coral_loss",
    "covariance",
    "distillation_loss",
    "softened_divergence",
    "entropy",
    "entropy_weights",
    "gaussian_kernel",
    "input_gradient",
    "jacobian_matching_loss",
    "linear_kernel",
    "mean_entropy",
    "mmd2_linear",
    "mmd2_quadratic",
    "multilinear_map",
    "reverse_gradient",
    "squared_distances",
]
