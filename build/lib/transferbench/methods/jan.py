"""JAN: joint adaptation networks (Long et al., ICML 2017, §4).

    L = CE(source) + λ · JMMD²(S, T),   k(z, z') = k¹(f, f') · k²(g, g'),

the MMD of the joint distribution of the bottleneck features f and the class probabilities
g = softmax(logits) under the product kernel. As in the paper, k¹ is DAN's family of 2r + 1
Gaussians around the batch's mean pairwise squared distance and k² one Gaussian
exp(−‖g − g'‖² / (2σ²)) with σ = 0.92, i.e. bandwidth 2σ² ≈ 1.69 in ``GaussianKernel``'s
exp(−‖x − y‖² / γ). ``linear: true`` selects the linear-time estimator; the default is
TLlib's quadratic one. The weight λ rises progressively from 0, as in the paper (§4).
"""

from __future__ import annotations

from typing import Sequence

import torch

from transferbench.losses import GaussianKernel, JointMMD, Kernel, MultipleGaussianKernel
from transferbench.methods.alignment import AlignmentMethod
from transferbench.methods.registry import METHODS
from transferbench.models import Classifier
from transferbench.models.classifier import ModelOutput


@METHODS.register("jan")
class JAN(AlignmentMethod):
    term = "jmmd"

    def __init__(
        self, model: Classifier, trade_off: float = 1.0, linear: bool = False, radius: int = 2,
        multiplier: float = 2.0, softmax_sigma: float = 0.92, progressive: bool = True,
    ) -> None:
        super().__init__(model, trade_off, progressive)
        kernels = [MultipleGaussianKernel(radius, multiplier), GaussianKernel(2 * softmax_sigma**2)]
        self.jmmd = self.joint_mmd(kernels, linear)

    def joint_mmd(self, kernels: Sequence[Kernel], linear: bool) -> JointMMD:
        """The JMMD estimator over [features, probabilities]."""
        return JointMMD(kernels, linear)

    def alignment(self, source: ModelOutput, target: ModelOutput, progress: float) -> torch.Tensor:
        return self.jmmd(_joint_layers(source), _joint_layers(target))


def _joint_layers(output: ModelOutput) -> list[torch.Tensor]:
    return [output.features, output.logits.softmax(1)]
