"""``dataset.labels_per_class``: a class-balanced, seeded subsample of the source training split."""

from pathlib import Path

import pytest
import torch

from transferbench.data import Split, build_task
from transferbench.data.subset import labels_per_class
from transferbench.errors import UserError


def split(per_class=(7, 9, 5), seed=0):
    """Shuffled labels with ``per_class[c]`` examples of class c; input i is the number i."""
    labels = torch.repeat_interleave(torch.arange(len(per_class)), torch.tensor(per_class))
    labels = labels[torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))]
    return Split(torch.arange(len(labels)).view(-1, 1).float(), labels)


def chosen(subset):
    return subset.inputs.flatten().long()


@pytest.mark.parametrize("count", [1, 3, 5])
def test_every_class_keeps_exactly_count_of_its_own_examples_in_order(count):
    full = split()
    subset = labels_per_class(full, count, seed=0, domain="stand-in")
    assert torch.bincount(subset.labels).tolist() == [count] * 3
    indices = chosen(subset)
    assert torch.equal(subset.labels, full.labels[indices])
    assert (indices.diff() > 0).all()


def test_the_seed_decides_the_subset():
    full = split((50, 50))
    draws = [chosen(labels_per_class(full, 5, seed, "stand-in")) for seed in (0, 0, 1)]
    assert torch.equal(draws[0], draws[1])
    assert not torch.equal(draws[0], draws[2])


def test_all_examples_of_the_smallest_class_is_its_whole_class():
    full = split()
    subset = labels_per_class(full, 5, seed=3, domain="stand-in")
    assert sorted(chosen(subset)[subset.labels == 2].tolist()) == torch.where(full.labels == 2)[0].tolist()


@pytest.mark.parametrize("count", [0, -2, 2.5, "5", True])
def test_a_count_that_is_not_a_positive_integer_is_one_line(count):
    with pytest.raises(UserError) as error:
        labels_per_class(split(), count, seed=0, domain="stand-in")
    assert str(error.value) == (
        f"dataset.labels_per_class={count!r} must be a positive integer (labelled source examples "
        "per class), or null for all labels"
    )


def test_a_class_with_too_few_examples_names_it_and_the_largest_valid_count():
    with pytest.raises(UserError) as error:
        labels_per_class(split(), 6, seed=0, domain="usps")
    assert str(error.value) == (
        "dataset.labels_per_class=6 exceeds the 5 training examples of class 2 in domain usps; "
        "choose at most 5"
    )
    absent = Split(torch.zeros(4, 1), torch.tensor([0, 0, 2, 2]))
    with pytest.raises(UserError, match="the 0 training examples of class 1 .* leave it null"):
        labels_per_class(absent, 1, seed=0, domain="usps")


def test_build_task_subsamples_the_source_and_keeps_the_whole_target(make_config):
    """Moons → rotated moons: the same code path as a single-domain task, with source ≠ target."""
    cfg = make_config("dataset=moons", "+dataset.labels_per_class=4").dataset
    task = build_task(cfg, Path("data"), download=False, seed=0)
    assert torch.bincount(task.source.train.labels).tolist() == [4, 4]
    assert len(task.source.test) == len(task.target.train) == len(task.target.test) == 1000
    again, other = (build_task(cfg, Path("data"), download=False, seed=seed) for seed in (0, 1))
    assert torch.equal(task.source.train.inputs, again.source.train.inputs)
    assert not torch.equal(task.source.train.inputs, other.source.train.inputs)
    default = build_task(cfg, Path("data"), download=False)
    assert torch.equal(default.source.train.inputs, task.source.train.inputs)


def test_null_keeps_every_label(make_config):
    cfg = make_config("dataset=moons", "+dataset.labels_per_class=null").dataset
    assert len(build_task(cfg, Path("data"), download=False, seed=1).source.train) == 1000


@pytest.mark.real_data
def test_mnist_with_ten_labels_per_class_keeps_all_60k_as_the_unlabelled_target(make_config, data_root):
    cfg = make_config("dataset=mnist", "dataset.labels_per_class=10").dataset
    task = build_task(cfg, data_root, download=False, seed=0)
    assert torch.bincount(task.source.train.labels).tolist() == [10] * 10
    assert len(task.target.train) == 60_000 and len(task.source.test) == len(task.target.test) == 10_000
    with pytest.raises(UserError, match="exceeds the 5421 training examples of class 5 in domain mnist"):
        build_task(make_config("dataset=mnist", "dataset.labels_per_class=5422").dataset, data_root, False)
