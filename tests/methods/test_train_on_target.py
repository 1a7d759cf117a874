"""Train-on-target: the one method the engine hands target labels to."""

import pytest
import torch

from transferbench.data.domain import Domain, Split
from transferbench.data.task import Normalize, Task
from transferbench.errors import UserError
from transferbench.experiment import run
from transferbench.methods import build_method
from transferbench.models import build_model
from transferbench.methods.source_only import SourceOnly
from transferbench.methods.train_on_target import TrainOnTarget

SHORT = ["trainer.iterations=30", "trainer.eval_every=30", "trainer.batch_size=32"]


@pytest.mark.parametrize(("method", "cls", "labelled"), [
    ("source_only", SourceOnly, False), ("train_on_target", TrainOnTarget, True),
])
def test_the_engine_hands_target_labels_only_to_a_method_that_declares_it(
    method, cls, labelled, make_config, tmp_path, monkeypatch
):
    seen = []
    original = cls.losses

    def spy(self, source, target, progress):
        seen.append(target.labels)
        return original(self, source, target, progress)

    monkeypatch.setattr(cls, "losses", spy)
    run(make_config(f"method={method}", *SHORT), tmp_path)
    assert len(seen) == 30
    assert all((labels is not None and len(labels) == 32) == labelled for labels in seen)


def test_training_on_the_target_labels_beats_source_only_on_the_target(make_config, tmp_path):
    """On the moons, whose target is the source rotated by 30°, the labels of the target itself
    fit its test split better than the source's do."""
    long = ["trainer.iterations=300", "trainer.eval_every=300"]
    source_only = run(make_config("method=source_only", *long), tmp_path / "source_only")
    upper = run(make_config("method=train_on_target", *long), tmp_path / "train_on_target")
    assert upper["target_acc"] > source_only["target_acc"] + 5
    assert upper["target_acc"] > 95


def test_a_target_that_is_its_own_test_set_is_refused(make_config):
    """Office-31's protocol tests on the unlabelled target training images: no upper bound there."""
    cfg = make_config("method=train_on_target")
    split = Split(torch.randn(8, 2), torch.arange(8) % 2)
    target = Domain(split, Split(split.inputs.clone(), split.labels))
    task = Task("office31_amazon_webcam", Domain(split, split), target, 2, Normalize(None, None))
    method = build_method(cfg.method, build_model(cfg.backbone, (2,), 2))
    with pytest.raises(UserError, match="office31_amazon_webcam: the target.s test images are its training"):
        method.before_fit(task)
