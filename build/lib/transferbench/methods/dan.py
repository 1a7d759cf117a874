"""DAN: deep adaptation networks (Long et al., ICML 2015, §3).

    L = CE(source) + λ · Σ_ℓ MK-MMD²(S_ℓ, T_ℓ)

over several layers (the paper adapts fc6-fc8 of AlexNet; here the bottleneck ``features`` and
the ``logits``, as TLlib's DAN adapts the bottleneck). The kernel is DAN's family of 2r + 1
equally weighted Gaussians with bandwidths γ₀ ηᵘ, u = −r..r, γ₀ the batch's mean (or median)
pairwise squared distance; the defaults (five Gaussians a factor 2 apart around the mean) are
those of the authors' released code. ``linear: true`` selects the paper's linear-time unbiased
estimator; the default is TLlib's quadratic biased one, whose variance is lower at the small
batch sizes of the digit protocols. ``progressive`` (default) ramps λ up as JAN does
(``methods/alignment.py``): from scratch, a fixed λ = 1 collapses the features of the DANN
MNIST network to zero within 250 iterations on MNIST→MNIST-M.
"""

from __future__ import annotations

from typing import Sequence

from transferbench.losses import MultipleGaussianKernel, MultipleKernelMMD
from transferbench.losses.kernels import Statistic
from transferbench.methods.alignment import LayerAlignment
from transferbench.methods.registry import METHODS
from transferbench.models import Classifier


@METHODS.register("dan")
class DAN(LayerAlignment):
    term = "mmd"

    def __init__(
        self, model: Classifier, trade_off: float = 1.0,
        layers: Sequence[str] = ("features", "logits"), linear: bool = False, radius: int = 2,
        multiplier: float = 2.0, statistic: Statistic = "mean", progressive: bool = True,
    ) -> None:
        kernel = MultipleGaussianKernel(radius, multiplier, statistic)
        super().__init__(model, trade_off, layers, MultipleKernelMMD(kernel, linear), progressive)
