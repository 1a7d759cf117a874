"""Zero-shot class splits: descriptions for every class, seeded splits, and no unseen class in training."""

import pytest
import torch

import transferbench.data.zero_shot as zero_shot
from transferbench.data import build_task
from transferbench.data.domain import Domain, Split
from transferbench.data.zero_shot import check_no_unseen_training, harmonic_mean, load_descriptions, unseen_classes
from transferbench.errors import UserError


def test_the_seven_segment_code_describes_each_digit_differently():
    descriptions = load_descriptions("seven_segment", 10)
    assert descriptions.shape == (10, 7)
    assert len({tuple(row.tolist()) for row in descriptions}) == 10
    assert descriptions[8].sum() == 7 and descriptions[1].tolist() == [0, 1, 1, 0, 0, 0, 0]


def test_a_class_without_a_description_is_one_line(tmp_path, monkeypatch):
    (tmp_path / "partial.yaml").write_text("attributes: [a, b]\nclasses:\n  0: [1, 0]\n  1: [0, 1]\n")
    monkeypatch.setattr(zero_shot, "DESCRIPTIONS_FOLDER", tmp_path)
    with pytest.raises(UserError, match="class 2 has no description in partial.yaml"):
        load_descriptions("partial", 3)
    with pytest.raises(UserError, match="descriptions=nope is unknown; choose one of: partial"):
        load_descriptions("nope", 3)


def test_splits_are_drawn_by_their_seed_or_listed():
    first = unseen_classes({"unseen_count": 3, "split": 0}, 10)
    assert len(first) == 3 and first == unseen_classes({"unseen_count": 3, "split": 0}, 10)
    assert first != unseen_classes({"unseen_count": 3, "split": 1}, 10)
    assert unseen_classes({"unseen_count": 3, "split": None}, 10, seed=1) == unseen_classes({"unseen_count": 3, "split": 1}, 10)
    assert unseen_classes({"unseen": [7, 2, 2]}, 10) == (2, 7)
    for bad in ({"unseen": list(range(10))}, {"unseen": [10]}, {"unseen_count": 0}):
        with pytest.raises(UserError):
            unseen_classes(bad, 10)


def test_no_training_split_holds_an_unseen_class(fake_idx, root, make_config):
    fake_idx()
    cfg = make_config("dataset=mnist_zero_shot", "dataset.zero_shot.unseen=[1,3,5]").dataset
    task = build_task(cfg, root, download=False)
    unseen = {1, 3, 5}
    assert not set(task.source.train.labels.tolist()) & unseen
    assert not set(task.target.train.labels.tolist()) & unseen
    assert set(task.target.test.labels.tolist()) <= unseen and not set(task.source.test.labels.tolist()) & unseen
    assert task.candidates == {"source": (0, 2, 4, 6, 7, 8, 9), "target": (1, 3, 5)}
    assert set(task.evaluations) == {"seen", "unseen"}


def test_an_unseen_class_in_training_is_one_line():
    images = torch.zeros(3, 1, 28, 28, dtype=torch.uint8)
    leaky = Domain(Split(images, torch.tensor([0, 1, 2])), Split(images, torch.tensor([0, 1, 2])))
    with pytest.raises(UserError, match="unseen class 2 is in the source training split"):
        check_no_unseen_training(leaky, leaky, (2,))


def test_the_harmonic_mean_of_seen_and_unseen_accuracy():
    assert harmonic_mean({"seen_acc": 90.0, "unseen_acc": 30.0})["harmonic_acc"] == pytest.approx(45.0)
    assert harmonic_mean({"seen_acc": 0.0, "unseen_acc": 0.0})["harmonic_acc"] == 0.0
