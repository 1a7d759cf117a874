"""Deep CORAL: correlation alignment (Sun & Saenko, ECCV 2016 Workshops, §3).

    L = CE(source) + λ · ‖C_S − C_T‖²_F / (4 d²)

with C the covariance of one layer's activations in each domain. The paper aligns the last
layer (fc8, here ``logits``) and picks λ so that both terms are of the same size at the end of
training; the default here aligns the bottleneck ``features`` with λ = 1, as TLlib does.
"""

from __future__ import annotations

from transferbench.losses import coral_loss
from transferbench.methods.alignment import LayerAlignment
from transferbench.methods.registry import METHODS
from transferbench.models import Classifier


@METHODS.register("coral")
class CORAL(LayerAlignment):
    term = "coral"

    def __init__(self, model: Classifier, trade_off: float = 1.0, layer: str = "features") -> None:
        super().__init__(model, trade_off, [layer], coral_loss)
