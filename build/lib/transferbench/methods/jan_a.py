"""JAN-A: adversarial joint adaptation networks (Long et al., ICML 2017, §4).

    min_f max_θ JMMD²(θ(S), θ(T))

JAN whose layers pass through affine maps θ_ℓ (initially the identity) before the product
kernel. Gradient reversal around θ_ℓ makes θ ascend the discrepancy, so it learns test
functions that tell the domains apart, while the network still descends it. The θ_ℓ belong to
the method and are optimised with it at the base learning rate.
"""

from __future__ import annotations

from typing import Sequence

from transferbench.losses import AdversarialJointMMD, JointMMD, Kernel
from transferbench.methods.jan import JAN
from transferbench.methods.registry import METHODS


@METHODS.register("jan_a")
class JANA(JAN):
    def joint_mmd(self, kernels: Sequence[Kernel], linear: bool) -> JointMMD:
        widths = [self.model.layer_width("features"), self.model.layer_width("logits")]
        return AdversarialJointMMD(kernels, widths, linear)
