"""Direct attribute prediction (Lampert, Nickisch & Harmeling, CVPR 2009; Palatucci et al., NIPS
2009's semantic output codes): one sigmoid output per attribute, trained with the binary
cross-entropy against the seen class's description d_y,

    L = −(1/A) Σ_a [ d_ya log σ(z_a) + (1 − d_ya) log(1 − σ(z_a)) ],

and at test time the class whose description is most probable under independent attributes,

    score(c) = Σ_a [ d_ca log σ(z_a) + (1 − d_ca) log(1 − σ(z_a)) ]

(DAP's posterior with uniform class and attribute priors).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from transferbench.data.zero_shot import ATTRIBUTES
from transferbench.methods.base import Batch
from transferbench.methods.registry import METHODS
from transferbench.methods.zero_shot import ZeroShotMethod


@METHODS.register("attribute_prediction")
class AttributePrediction(ZeroShotMethod):
    def losses(self, source: Batch, target: Batch, progress: float) -> dict[str, torch.Tensor]:
        attributes = self.model(source.inputs).heads[ATTRIBUTES]
        return {"attributes": F.binary_cross_entropy_with_logits(attributes, self.descriptions[source.labels])}

    @torch.no_grad()
    def predict(self, inputs: torch.Tensor) -> torch.Tensor:
        attributes = self.model(inputs).heads[ATTRIBUTES]
        present, absent = F.logsigmoid(attributes), F.logsigmoid(-attributes)
        return present @ self.descriptions.T + absent @ (1 - self.descriptions).T
