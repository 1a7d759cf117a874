"""Source selection by Gabor histograms (selective joint fine-tuning) and the source pool."""

import pytest
import torch

from transferbench.data import build_task
from transferbench.data.domain import Domain, Split
from transferbench.data.pool import source_pool
from transferbench.data.selection import gabor_bank, gabor_histograms, nearest_sources, select_sources
from transferbench.errors import UserError


def images(count, seed):
    return torch.randint(0, 256, (count, 1, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(seed))


def test_the_bank_holds_zero_mean_kernels_and_each_histogram_sums_to_one():
    bank = gabor_bank()
    assert bank.shape == (8, 1, 11, 11)
    assert bank.sum(dim=(1, 2, 3)).abs().max() < 1e-4
    descriptors = gabor_histograms(images(5, 0))
    assert torch.allclose(descriptors.view(5, 8, -1).sum(dim=2), torch.ones(5, 8))


def test_nearest_sources_are_the_brute_force_nearest():
    sources, targets = torch.rand(50, 6), torch.rand(4, 6)
    expected = set()
    for target in targets:
        distances = ((sources - target) ** 2).sum(dim=1)
        expected |= set(distances.argsort()[:3].tolist())
    assert set(nearest_sources(sources, targets, 3).tolist()) == expected


def test_gabor_selection_retrieves_a_targets_copy_and_random_draws_as_many():
    pool_images = torch.cat([images(40, 1), torch.zeros(10, 1, 28, 28, dtype=torch.uint8)])
    pool_images[40:, :, 10:18, 4:24] = 255  # ten copies of a horizontal bar
    pool = Domain(Split(pool_images, torch.arange(50) % 5), Split(pool_images[:5], torch.arange(5)))
    target = torch.zeros(1, 1, 28, 28, dtype=torch.uint8)
    target[:, :, 10:18, 4:24] = 255
    targets = Split(target, torch.zeros(1, dtype=torch.int64))
    chosen = select_sources(pool, targets, {"rule": "gabor", "neighbours": 10}, seed=0, name="pool")
    assert torch.equal(chosen.train.inputs, pool_images[40:])
    drawn = select_sources(pool, targets, {"rule": "random", "neighbours": 10}, seed=0, name="pool")
    assert len(drawn.train) == 10 and not torch.equal(drawn.train.inputs, pool_images[40:])
    assert select_sources(pool, targets, {"rule": "all"}, seed=0, name="pool") is pool
    assert chosen.test is pool.test


@pytest.mark.parametrize(("rule", "message"), [
    ({"rule": "knn"}, "dataset.related.pool.selection.rule=knn is not one of: all, gabor, random"),
    ({"rule": "gabor", "neighbours": 0}, r"dataset.related.pool.selection.neighbours=0 must lie in \[1, 4\]"),
])
def test_a_bad_rule_is_one_line(rule, message):
    pool = Domain(Split(images(4, 0), torch.zeros(4, dtype=torch.int64)), Split(images(1, 1), torch.zeros(1, dtype=torch.int64)))
    with pytest.raises(UserError, match=message):
        select_sources(pool, Split(images(1, 2), torch.zeros(1, dtype=torch.int64)), rule, seed=0, name="pool")


def test_the_pool_offsets_each_members_labels(fake_idx, fake_mnistm, root):
    fake_idx()
    fake_idx(dataset="Fashion-MNIST", folder="FashionMNIST")
    fake_mnistm()
    pool = source_pool(root, download=False, members=["mnist", "fashion_mnist_a", "mnistm"], per_member=4)
    assert pool.train.inputs.shape[1:] == (1, 28, 28)
    mnist, fashion, mnistm = pool.train.labels.split([4, len(pool.train) - 8, 4])
    assert mnist.max() < 10 and 10 <= fashion.min() and fashion.max() < 15 and 15 <= mnistm.min() < 25
    with pytest.raises(UserError, match="unknown svhn"):
        source_pool(root, download=False, members=["svhn"])


def test_the_selective_task_selects_for_its_labelled_target_images(fake_idx, fake_usps, fake_mnistm, root, make_config):
    fake_idx()
    fake_idx(dataset="Fashion-MNIST", folder="FashionMNIST")
    fake_mnistm()
    fake_usps()
    cfg = make_config("dataset=selective_usps", "dataset.labels_per_class=null",
                      "dataset.related.pool.selection.neighbours=1").dataset
    task = build_task(cfg, root, download=False)
    pool = task.related["pool"]
    assert 1 <= len(pool.source.train) <= len(task.source.train) < len(pool.target.train)


def test_a_related_task_with_too_few_classes_is_one_line(fake_idx, fake_usps, fake_mnistm, root, make_config):
    fake_idx()
    fake_idx(dataset="Fashion-MNIST", folder="FashionMNIST")
    fake_mnistm()
    fake_usps()
    cfg = make_config("dataset=selective_usps", "dataset.labels_per_class=null", "dataset.related.pool.num_classes=10").dataset
    with pytest.raises(UserError, match=r"task source_pool has num_classes=10 but its data has label 2\d; set num_classes"):
        build_task(cfg, root, download=False)
