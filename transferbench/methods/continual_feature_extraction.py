"""LwF's "feature extraction" arm (Li & Hoiem, ECCV 2016, §2; Donahue et al., ICML 2014): the old
network's shared layers θs and its head θo stay fixed, only the new head θn is trained on their
features, so the old task's accuracy cannot change (``methods/continual.py``)."""

from __future__ import annotations

from transferbench.methods.continual import ContinualMethod
from transferbench.methods.registry import METHODS
from transferbench.models import Classifier


@METHODS.register("continual_feature_extraction")
class ContinualFeatureExtraction(ContinualMethod):
    def __init__(self, model: Classifier, old: str) -> None:
        super().__init__(model, old, copied="freeze")
