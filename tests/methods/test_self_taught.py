"""Self-taught learning: representations learnt on the unlabelled pool, a classifier on the codes."""

from dataclasses import replace

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.decomposition import PCA

from transferbench.data import build_task
from transferbench.data.domain import Split
from transferbench.errors import UserError
from transferbench.methods import build_method
from transferbench.models import build_model


@pytest.fixture
def task(make_config):
    """The 8×8 digits with 10 labels per class, and 600 smooth random 8×8 patches as the pool."""
    cfg = make_config("dataset=digits_self_taught", "dataset.labels_per_class=10", "~dataset.unlabelled").dataset
    digits = build_task(cfg, root=None, download=False)
    noise = torch.rand(600, 1, 4, 4, generator=torch.Generator().manual_seed(0))
    patches = (F.interpolate(noise, size=8, mode="bilinear") * 255).to(torch.uint8)
    return replace(digits, unlabelled=Split(patches, torch.zeros(600, dtype=torch.int64)))


def fitted(make_config, task, *overrides):
    cfg = make_config("dataset=digits_self_taught", "method=self_taught", "method.atoms=16", *overrides)
    method = build_method(cfg.method, build_model(cfg.backbone, task.input_shape, task.num_classes))
    method.before_fit(task)
    return method


def normalised(method, images):
    x = images.flatten(1).float() / 255.0
    return (x - x.mean(dim=1, keepdim=True)) / method.spread


def test_the_labelled_digits_are_a_budget_of_the_first_1200(task):
    assert len(task.source.train) == 100 and len(task.target.test) == 597


def test_pca_projects_on_the_pools_principal_components(make_config, task):
    method = fitted(make_config, task, "method.representation=pca", "method.components=5")
    pool = normalised(method, task.unlabelled.inputs).numpy()
    reference = PCA(n_components=5, random_state=0).fit(pool)
    assert np.allclose(np.abs(method.basis.numpy()), np.abs(reference.components_), atol=1e-4)
    images = task.target.test.inputs[:4]
    expected = (normalised(method, images) - method.center) @ method.basis.T
    assert torch.allclose(method.encode(images), expected, atol=1e-5)


def test_sparse_codes_are_sparse_and_reconstruct_the_image(make_config, task):
    sparse, dense = (fitted(make_config, task, f"method.alpha={alpha}") for alpha in (1.0, 0.01))
    images = task.target.test.inputs[:20]
    x = normalised(sparse, images)
    zeros, errors = [], []
    for method in (sparse, dense):
        codes = method.encode(images)
        zeros.append((codes == 0).float().mean().item())
        errors.append(((x - codes @ method.basis).norm(dim=1) / x.norm(dim=1)).mean().item())
    assert zeros[0] > zeros[1] and errors[0] > errors[1]  # the L1 weight trades fit for sparsity
    assert errors[1] < 0.9


def test_the_classifier_is_fitted_on_the_labelled_codes(make_config, task):
    method = fitted(make_config, task, "method.representation=pixels")
    predictions = method.predict(task.source.train.inputs).argmax(dim=1)
    assert (predictions == task.source.train.labels).float().mean() > 0.9


def test_a_task_without_a_pool_is_one_line(make_config):
    cfg = make_config("method=self_taught")
    method = build_method(cfg.method, build_model(cfg.backbone, (2,), 2))
    moons = build_task(make_config().dataset, root=None, download=False)
    with pytest.raises(UserError, match="needs a task with an unlabelled pool"):
        method.before_fit(moons)
