"""DDC: deep domain confusion (Tzeng et al., arXiv:1412.3474, 2014, eq. 1-2).

    L = CE(source) + λ · MMD²(S_ℓ, T_ℓ),   MMD(S, T) = ‖(1/|S|) Σ_s φ(s) − (1/|T|) Σ_t φ(t)‖,

on one layer ℓ (the paper's adaptation layer: here the bottleneck, ``features``). With the
default linear kernel φ is the identity and MMD² is the squared distance between the domains'
mean activations; ``kernel: gaussian`` uses exp(−‖x − y‖² / γ) in the biased estimator, with
γ fixed by ``bandwidth`` or, when it is null, the batch's mean pairwise squared distance.

DaNN (Ghifary et al., PRICAI 2014) puts the MMD on the first hidden layer of its network:
``method=ddc method.layer=fc1``.
"""

from __future__ import annotations

from transferbench.errors import UserError
from transferbench.losses import (
    GaussianKernel,
    Kernel,
    LinearKernel,
    MultipleGaussianKernel,
    MultipleKernelMMD,
)
from transferbench.methods.alignment import LayerAlignment
from transferbench.methods.registry import METHODS
from transferbench.models import Classifier


@METHODS.register("ddc")
class DDC(LayerAlignment):
    term = "mmd"

    def __init__(
        self, model: Classifier, trade_off: float = 0.25, layer: str = "features",
        kernel: str = "linear", bandwidth: float | None = None,
    ) -> None:
        mmd = MultipleKernelMMD(_kernel(kernel, bandwidth))
        super().__init__(model, trade_off, [layer], mmd)


def _kernel(name: str, bandwidth: float | None) -> Kernel:
    if name == "linear":
        return LinearKernel()
    if name == "gaussian":
        return MultipleGaussianKernel(radius=0) if bandwidth is None else GaussianKernel(bandwidth)
    raise UserError(f"method 'ddc': kernel must be 'linear' or 'gaussian', not {name!r}")
