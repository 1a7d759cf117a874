"""Feature extraction: a fixed (pre)trained network's layers + a linear classifier from scikit-learn.

DeCAF (Donahue et al., ICML 2014) and Razavian et al. (CVPR 2014 Workshops) train a linear SVM on
the activations of a network trained on another task; the full-network embedding
(Garcia-Gasulla et al., ICBK 2018) uses many layers, standardised and discretised
(``models/embedding.py``). The network is never trained here.

How it fits the engine: the method is not trained by gradient (``trains_by_gradient = False``),
so the engine builds no optimizer, takes no step, records :meth:`losses` (the fitted classifier's
cross-entropy) on one training batch and evaluates once. Everything is fitted in
:meth:`FeatureExtraction.before_fit`: the labelled training split (the task's source: in a dataset
whose source is its target, the target's training set) is embedded in one pass, the normalisation's
statistics are measured on it, and scikit-learn's ``LinearSVC`` or ``LogisticRegression`` is fitted
and copied into ``self.linear``, so predictions, ``results.json`` and ``checkpoint.pt`` are those
of any other method.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC
from torch import nn

from transferbench.data.domain import Split
from transferbench.data.task import Task
from transferbench.errors import UserError
from transferbench.methods.base import Batch, Method
from transferbench.methods.registry import METHODS
from transferbench.models import Classifier
from transferbench.models.embedding import FNE_THRESHOLDS, NORMALIZATIONS, POOLINGS, Embedding, pool

CLASSIFIERS = ("svm", "logistic")
#: The logit of a class the training split lacks (the classifier never predicts it).
ABSENT_LOGIT = -1e9


@METHODS.register("feature_extraction")
class FeatureExtraction(Method):
    trains_by_gradient = False

    def __init__(
        self, model: Classifier, layers: Sequence[str] | None = None, pooling: str = "avg",
        normalization: str = "l2", thresholds: Sequence[float] = FNE_THRESHOLDS,
        classifier: str = "svm", C: float = 1.0, max_iter: int = 1000, batch_size: int = 1000,
    ) -> None:
        super().__init__(model)
        for option, value, choices in (
            ("pooling", pooling, POOLINGS), ("normalization", normalization, NORMALIZATIONS),
            ("classifier", classifier, CLASSIFIERS),
        ):
            if value not in choices:
                raise UserError(f"method.{option}={value} is not one of: {', '.join(choices)}")
        model.requires_grad_(False)
        layers = list(layers or list(model.backbone.blocks)[-1:])
        width = sum(pooled_widths(model, layers, pooling))
        self.embedding = Embedding(layers, width, pooling, normalization, thresholds)
        self.linear = nn.Linear(width, model.head.out_features)
        self.classifier, self.C, self.max_iter, self.batch_size = classifier, C, max_iter, batch_size
        self.train(self.training)

    def before_fit(self, task: Task) -> None:
        layers, labels = self.extract(task.source.train, task.eval_inputs)
        self.embedding.fit(layers)
        fit_into(self.linear, self.classifier, self.embedding(layers), labels, self.C, self.max_iter)

    @torch.no_grad()
    def extract(
        self, split: Split, prepare: Callable[[torch.Tensor], torch.Tensor]
    ) -> tuple[list[torch.Tensor], torch.Tensor]:
        """Every chosen layer's pooled output over ``split``, in batches of ``batch_size``."""
        batches = [
            self.embedding.pooled(self.model(prepare(inputs)).blocks)
            for inputs in split.inputs.split(self.batch_size)
        ]
        return [torch.cat(layer) for layer in zip(*batches)], split.labels

    def losses(self, source: Batch, target: Batch, progress: float) -> dict[str, torch.Tensor]:
        """The fitted classifier's cross-entropy on a labelled batch (recorded, never stepped)."""
        return {"classification": F.cross_entropy(self.logits(source.inputs), source.labels)}

    @torch.no_grad()
    def predict(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.logits(inputs)

    def logits(self, inputs: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            features = self.embedding(self.embedding.pooled(self.model(inputs).blocks))
        return self.linear(features)

    def train(self, mode: bool = True) -> "FeatureExtraction":
        """The network stays in eval mode (no dropout, BatchNorm's running statistics)."""
        super().train(mode)
        self.model.eval()
        return self


def pooled_widths(model: Classifier, layers: Sequence[str], pooling: str) -> list[int]:
    """The width of each layer's pooled output, found with a probe forward pass."""
    was_training = model.training
    model.eval()
    with torch.no_grad():
        blocks = model(next(model.parameters()).new_zeros(1, *model.input_shape)).blocks
    model.train(was_training)
    unknown = [layer for layer in layers if layer not in blocks]
    if unknown:
        raise UserError(f"unknown layer '{unknown[0]}'; choose one of: {', '.join(blocks)}")
    return [pool(blocks[layer], pooling).shape[1] for layer in layers]


def fit_into(
    layer: nn.Linear, kind: str, features: torch.Tensor, labels: torch.Tensor, C: float, max_iter: int
) -> None:
    """Fit scikit-learn's classifier ``kind`` (``fit_linear``) and copy it into ``layer``."""
    weight, bias = fit_linear(kind, features.cpu().numpy(), labels.cpu().numpy(), layer.out_features, C, max_iter)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(weight))
        layer.bias.copy_(torch.from_numpy(bias))


def fit_linear(
    kind: str, features: np.ndarray, labels: np.ndarray, num_classes: int, C: float, max_iter: int
) -> tuple[np.ndarray, np.ndarray]:
    """Fit scikit-learn's linear SVM (one-vs-rest, squared hinge) or multinomial logistic
    regression; returns the ``(num_classes, D)`` weight and the bias of its decision function."""
    if kind == "svm":
        fitted = LinearSVC(C=C, max_iter=max_iter, random_state=0)
    else:
        fitted = LogisticRegression(C=C, max_iter=max_iter)
    fitted.fit(features, labels)
    coef, intercept = fitted.coef_, fitted.intercept_
    if len(fitted.classes_) == 2:  # one decision value: the second class's logit, the first's 0
        coef, intercept = np.vstack([np.zeros_like(coef), coef]), np.concatenate([[0.0], intercept])
    weight = np.zeros((num_classes, features.shape[1]), dtype=np.float32)
    bias = np.full(num_classes, ABSENT_LOGIT, dtype=np.float32)
    weight[fitted.classes_], bias[fitted.classes_] = coef, intercept
    return weight, bias
