"""The self-taught task's domains: BSDS500 patches and scikit-learn's digits."""

import torch

from transferbench.data import build_task
from transferbench.data.self_taught import bsds_patches, sklearn_digits


def test_patches_are_cut_from_the_photos_by_their_seed(fake_bsds, root):
    photos = fake_bsds()
    first = bsds_patches(root, download=False, patch_size=5, count=30)
    assert first.train.inputs.shape == (30, 1, 5, 5) and (first.train.labels == 0).all()
    assert torch.equal(first.train.inputs, bsds_patches(root, download=False, patch_size=5, count=30).train.inputs)
    other = bsds_patches(root, download=False, patch_size=5, count=30, patch_seed=1)
    assert not torch.equal(first.train.inputs, other.train.inputs)
    assert len(photos) == 3


def test_the_digits_split_1200_and_597(make_config, fake_bsds, root):
    digits = sklearn_digits()
    assert len(digits.train) == 1200 and len(digits.test) == 597 and digits.train.inputs.max() == 255
    fake_bsds()
    task = build_task(make_config("dataset=digits_self_taught", "dataset.unlabelled.options.count=40").dataset,
                      root, download=False)
    assert task.unlabelled.inputs.shape == (40, 1, 8, 8)
