"""Self-taught learning (Raina, Battle, Lee, Packer & Ng, ICML 2007): a representation learnt on
unlabelled images of *other* classes and domains (the task's ``unlabelled`` pool: natural-image
patches), then a linear classifier on the few labelled images in that representation.

Every image x (flattened, scaled to [0, 1], its mean removed, divided by the pool's standard
deviation) is represented by

- ``sparse``: its sparse code over a dictionary B learnt on the pool (scikit-learn's
  ``MiniBatchDictionaryLearning``), a = argmin_a ½‖x − aB‖² + α‖a‖₁ (Raina et al.'s §3);
- ``pca``: its projection on the pool's first principal components (the paper's baseline);
- ``pixels``: itself (the raw baseline).

The classifier (logistic regression or a linear SVM, as ``feature_extraction``) is fitted on the
task's labelled training images in ``before_fit``; the dictionary, the projection and the classifier
are buffers and a linear layer, so the checkpoint holds the fitted method. No gradient step is
taken (``trains_by_gradient = False``).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.decomposition import PCA, MiniBatchDictionaryLearning, SparseCoder
from torch import nn

from transferbench.data.task import Task
from transferbench.errors import UserError
from transferbench.methods.base import Batch, Method
from transferbench.methods.feature_extraction import CLASSIFIERS, fit_into
from transferbench.methods.registry import METHODS
from transferbench.models import Classifier

REPRESENTATIONS = ("sparse", "pca", "pixels")


@METHODS.register("self_taught")
class SelfTaught(Method):
    trains_by_gradient = False

    def __init__(
        self, model: Classifier, representation: str = "sparse", atoms: int = 128, alpha: float = 1.0,
        components: int = 32, classifier: str = "logistic", C: float = 1.0, max_iter: int = 1000, seed: int = 0,
    ) -> None:
        super().__init__(model)
        for option, value, choices in (("representation", representation, REPRESENTATIONS),
                                       ("classifier", classifier, CLASSIFIERS)):
            if value not in choices:
                raise UserError(f"method.{option}={value} is not one of: {', '.join(choices)}")
        pixels = int(np.prod(model.input_shape))
        width = {"sparse": atoms, "pca": components, "pixels": pixels}[representation]
        self.representation, self.alpha, self.seed = representation, alpha, seed
        self.classifier, self.C, self.max_iter = classifier, C, max_iter
        self.register_buffer("basis", torch.zeros(width if representation != "pixels" else 0, pixels))
        self.register_buffer("center", torch.zeros(pixels))
        self.register_buffer("spread", torch.ones(()))
        self.linear = nn.Linear(width, model.head.out_features)

    def before_fit(self, task: Task) -> None:
        if task.unlabelled is None:
            raise UserError("method=self_taught needs a task with an unlabelled pool (dataset.unlabelled), "
                            "e.g. dataset=digits_self_taught")
        pool = centred(task.unlabelled.inputs)
        self.spread.fill_(pool.std().item())
        pool = (pool / self.spread).cpu().numpy()
        if self.representation == "sparse":
            learner = MiniBatchDictionaryLearning(n_components=len(self.basis), alpha=self.alpha, random_state=self.seed)
            self.basis.copy_(torch.from_numpy(learner.fit(pool).components_))
        elif self.representation == "pca":
            fitted = PCA(n_components=len(self.basis), random_state=self.seed).fit(pool)
            self.basis.copy_(torch.from_numpy(fitted.components_))
            self.center.copy_(torch.from_numpy(fitted.mean_))
        labelled = task.source.train
        fit_into(self.linear, self.classifier, self.encode(labelled.inputs), labelled.labels, self.C, self.max_iter)

    @torch.no_grad()
    def encode(self, images: torch.Tensor) -> torch.Tensor:
        """The representation of raw uint8 images (or of already normalised inputs)."""
        x = centred(images) / self.spread
        if self.representation == "pixels":
            return x
        if self.representation == "pca":
            return (x - self.center) @ self.basis.T
        coder = SparseCoder(dictionary=self.basis.cpu().numpy(), transform_algorithm="lasso_lars",
                            transform_alpha=self.alpha)
        return torch.from_numpy(coder.transform(x.cpu().numpy())).float().to(x.device)

    def losses(self, source: Batch, target: Batch, progress: float) -> dict[str, torch.Tensor]:
        """The fitted classifier's cross-entropy on a labelled batch (recorded, never stepped)."""
        return {"classification": F.cross_entropy(self.predict(source.inputs), source.labels)}

    @torch.no_grad()
    def predict(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.linear(self.encode(inputs))


def centred(inputs: torch.Tensor) -> torch.Tensor:
    """Flattened inputs in [0, 1] (uint8 images scaled; normalised inputs as they are), each with
    its own mean removed."""
    x = inputs.flatten(1).float()
    x = x / 255.0 if inputs.dtype == torch.uint8 else x
    return x - x.mean(dim=1, keepdim=True)
