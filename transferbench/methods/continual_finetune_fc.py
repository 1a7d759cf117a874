"""LwF's "fine-tuning FC" arm (Li & Hoiem, ECCV 2016, §2): the convolutional layers of the old
network stay fixed, its fully connected blocks (``fc*``) and the new head θn are trained on the
new task, the old head θo is kept as it was (``methods/continual.py``)."""

from __future__ import annotations

from typing import Mapping

from transferbench.errors import UserError
from transferbench.methods.continual import ContinualMethod
from transferbench.methods.registry import METHODS
from transferbench.models import Classifier


@METHODS.register("continual_finetune_fc")
class ContinualFinetuneFC(ContinualMethod):
    def __init__(
        self, model: Classifier, old: str, warmup: float = 0.0, lr_mult: Mapping[str, float] | None = None
    ) -> None:
        blocks = list(model.backbone.blocks)
        policy = {name: "finetune" if name.startswith("fc") else "freeze" for name in blocks}
        if "finetune" not in policy.values():
            raise UserError(
                f"the backbone has no fully connected block (fc*) to fine-tune: {', '.join(blocks)}; "
                "use method=continual_finetune with method.policy to choose the trained blocks"
            )
        super().__init__(model, old, warmup, policy=policy, lr_mult=lr_mult)
