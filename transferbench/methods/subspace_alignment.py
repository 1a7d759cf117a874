"""Subspace Alignment (Fernando, Habrard, Sebban & Tuytelaars, ICCV 2013, §3 and Algorithm 1).

Each domain's training features are standardised with that domain's own per-feature mean and
standard deviation, z = (x − μ) / σ, and PCA gives each domain's d leading eigenvectors as the
columns of P_S, P_T ∈ ℝ^{D×d}. The alignment that minimises ‖P_S M − P_T‖_F is

    M = P_Sᵀ P_T ∈ ℝ^{d×d},

so the source is projected to the target-aligned space by P_a = P_S M, i.e. Z_S P_S M, and the
target to its own subspace, Z_T P_T. A classifier fitted on the aligned source training features
and their labels labels the projected target: 1-nearest-neighbour in the paper (``knn``), or a
linear SVM / logistic regression (``svm``, ``logistic``, fitted by feature extraction's
``fit_linear``). The paper picks d with a consistency bound; here d is the ``dims`` option.

Features are the flattened, normalised network input (``layer: input``: no trained network is
needed) or one named block of the network, pooled as in feature extraction; the network stays
fixed, in eval mode (load a trained one with ``backbone.weights``).

How it fits the engine: as feature extraction, the method is not trained by gradient. Everything
is fitted in :meth:`SubspaceAlignment.before_fit`, on at most ``max_samples`` examples of each
domain's training split drawn with ``seed`` (the target's labels are never read).
:meth:`SubspaceAlignment.before_eval` chooses the projection :meth:`~SubspaceAlignment.predict`
applies: the source's (source statistics, then P_S M) or the target's (target statistics, then
P_T; the default). Statistics, bases, M and the 1-NN's stored examples are buffers, so
``checkpoint.pt`` holds the fitted method.

The 1-NN's logits: the logit of class c is minus the Euclidean distance to the nearest stored
(aligned source) example of class c, ``ABSENT_LOGIT`` for a class with none, so their argmax is the
1-NN label and :meth:`~SubspaceAlignment.losses` records their cross-entropy.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import torch
import torch.nn.functional as F
from sklearn.decomposition import PCA
from torch import nn

from transferbench.data.domain import Split
from transferbench.data.task import Task
from transferbench.errors import UserError
from transferbench.methods.base import Batch, Method
from transferbench.methods.feature_extraction import ABSENT_LOGIT, fit_into, pooled_widths
from transferbench.methods.registry import METHODS
from transferbench.models import Classifier
from transferbench.models.embedding import POOLINGS, pool, standardize

CLASSIFIERS = ("knn", "svm", "logistic")
#: The ``layer`` that names the network's input rather than one of its blocks.
INPUT = "input"
DOMAINS = ("source", "target")


class Subspace(nn.Module):
    """One domain's standardisation statistics and its PCA basis ``(D, d)``."""

    mean: torch.Tensor
    std: torch.Tensor
    basis: torch.Tensor

    def __init__(self, width: int, dims: int) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(width))
        self.register_buffer("std", torch.ones(width))
        self.register_buffer("basis", torch.zeros(width, dims))

    def fit(self, features: torch.Tensor, seed: int) -> None:
        """Per-feature (population) statistics of ``features``, then the ``d`` leading principal
        directions of the standardised features (scikit-learn's PCA, its sign convention)."""
        std, mean = torch.std_mean(features, dim=0, correction=0)
        self.mean.copy_(mean)
        self.std.copy_(std)
        pca = PCA(n_components=self.basis.shape[1], random_state=seed)
        pca.fit(standardize(features, mean, std).cpu().numpy())
        self.basis.copy_(torch.from_numpy(pca.components_.T))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """Coordinates of standardised ``features`` in the basis: Z P."""
        return standardize(features, self.mean, self.std) @ self.basis


class NearestNeighbour(nn.Module):
    """1-nearest-neighbour over stored examples; class c's logit is minus the distance to the
    nearest stored example of class c (``ABSENT_LOGIT`` when none is of class c)."""

    examples: torch.Tensor
    labels: torch.Tensor

    def __init__(self, width: int, num_classes: int) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.register_buffer("examples", torch.zeros(0, width))
        self.register_buffer("labels", torch.zeros(0, dtype=torch.int64))

    def fit(self, examples: torch.Tensor, labels: torch.Tensor) -> None:
        self.examples, self.labels = examples.clone(), labels.clone()

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        distances = torch.cdist(features, self.examples)
        logits = features.new_full((len(features), self.num_classes), ABSENT_LOGIT)
        return logits.scatter_reduce(1, self.labels.expand(len(features), -1), -distances, reduce="amax")

    def _load_from_state_dict(self, state_dict: dict[str, Any], prefix: str, *args: Any) -> None:
        """Resize the stored examples to the checkpoint's count before they are copied."""
        for name in ("examples", "labels"):
            if prefix + name in state_dict:
                setattr(self, name, getattr(self, name).new_empty(state_dict[prefix + name].shape))
        super()._load_from_state_dict(state_dict, prefix, *args)


@METHODS.register("subspace_alignment")
class SubspaceAlignment(Method):
    trains_by_gradient = False

    alignment: torch.Tensor

    def __init__(
        self, model: Classifier, layer: str = INPUT, pooling: str = "avg", dims: int = 20,
        classifier: str = "knn", C: float = 1.0, max_iter: int = 1000, max_samples: int = 10000,
        seed: int = 0, batch_size: int = 1000,
    ) -> None:
        super().__init__(model)
        for option, value, choices in (("pooling", pooling, POOLINGS), ("classifier", classifier, CLASSIFIERS)):
            if value not in choices:
                raise UserError(f"method.{option}={value} is not one of: {', '.join(choices)}")
        model.requires_grad_(False)
        width = feature_width(model, layer, pooling)
        check_dims(dims, width, f"features of layer {layer}")
        self.layer, self.pooling, self.dims, self.classifier = layer, pooling, dims, classifier
        self.C, self.max_iter, self.max_samples = C, max_iter, max_samples
        self.seed, self.batch_size = seed, batch_size
        self.subspaces = nn.ModuleDict({domain: Subspace(width, dims) for domain in DOMAINS})
        self.register_buffer("alignment", torch.eye(dims))
        num_classes = model.head.out_features
        self.head = NearestNeighbour(dims, num_classes) if classifier == "knn" else nn.Linear(dims, num_classes)
        self.domain = "target"
        self.train(self.training)

    def before_fit(self, task: Task) -> None:
        generator = torch.Generator().manual_seed(self.seed)
        source, labels = self.sample(task.source.train, task.eval_inputs, generator)
        target, _ = self.sample(task.target.train, task.eval_inputs, generator)
        for domain, features in zip(DOMAINS, (source, target)):
            check_dims(self.dims, len(features), f"{domain} training examples")
            self.subspaces[domain].fit(features, self.seed)
        self.alignment.copy_(self.subspaces["source"].basis.T @ self.subspaces["target"].basis)
        self.fit_head(self.project(source, "source"), labels)
        self.domain = "target"

    def before_eval(
        self, domain: str, train: Split, prepare: Callable[[torch.Tensor], torch.Tensor]
    ) -> None:
        """Predict ``domain``'s inputs with its own projection from now on."""
        self.domain = domain

    @torch.no_grad()
    def sample(
        self, split: Split, prepare: Callable[[torch.Tensor], torch.Tensor], generator: torch.Generator
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The features and labels of at most ``max_samples`` examples of ``split``, drawn with
        ``generator``, in batches of ``batch_size``."""
        index = torch.randperm(len(split), generator=generator)[: self.max_samples].to(split.labels.device)
        chunks = [self.features(prepare(split.inputs[chunk])) for chunk in index.split(self.batch_size)]
        return torch.cat(chunks), split.labels[index]

    @torch.no_grad()
    def features(self, inputs: torch.Tensor) -> torch.Tensor:
        """The flattened input, or the chosen block's pooled output."""
        if self.layer == INPUT:
            return pool(inputs, "flatten")
        return pool(self.model(inputs).blocks[self.layer], self.pooling)

    def project(self, features: torch.Tensor, domain: str) -> torch.Tensor:
        """Source features → Z_S P_S M (the target-aligned space); target features → Z_T P_T."""
        coordinates = self.subspaces[domain](features)
        return coordinates @ self.alignment if domain == "source" else coordinates

    def fit_head(self, aligned: torch.Tensor, labels: torch.Tensor) -> None:
        """Store the aligned source examples (``knn``), or fit a linear classifier on them."""
        if isinstance(self.head, NearestNeighbour):
            self.head.fit(aligned, labels)
            return
        fit_into(self.head, self.classifier, aligned, labels, self.C, self.max_iter)

    def logits(self, inputs: torch.Tensor, domain: str) -> torch.Tensor:
        with torch.no_grad():
            return self.head(self.project(self.features(inputs), domain))

    def losses(self, source: Batch, target: Batch, progress: float) -> dict[str, torch.Tensor]:
        """The fitted classifier's cross-entropy on the aligned source batch (recorded, never stepped)."""
        return {"classification": F.cross_entropy(self.logits(source.inputs, "source"), source.labels)}

    @torch.no_grad()
    def predict(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.logits(inputs, self.domain)

    def train(self, mode: bool = True) -> "SubspaceAlignment":
        """The network stays in eval mode (no dropout, BatchNorm's running statistics)."""
        super().train(mode)
        self.model.eval()
        return self


def feature_width(model: Classifier, layer: str, pooling: str) -> int:
    """The width of the features of ``layer``: the input's size, or the block's pooled width."""
    if layer == INPUT:
        return math.prod(model.input_shape)
    blocks = model.layer_shapes()
    if layer not in blocks:
        raise UserError(f"unknown layer '{layer}'; choose one of: {INPUT}, {', '.join(blocks)}")
    return pooled_widths(model, [layer], pooling)[0]


def check_dims(dims: int, limit: int, what: str) -> None:
    """A one-line error unless 1 ≤ ``dims`` ≤ ``limit`` (the count of ``what``)."""
    if dims < 1:
        raise UserError(f"method.dims={dims} must be at least 1")
    if dims > limit:
        raise UserError(f"method.dims={dims} exceeds the {limit} {what}; set method.dims to at most {limit}")
