"""A zero-shot run through the engine: its losses never see an unseen class, and it records the
zero-shot and generalised zero-shot accuracies."""

import pytest
import torch

from transferbench.engine.evaluate import accuracy
from transferbench.data.domain import Split
from transferbench.experiment import run
from transferbench.methods.attribute_prediction import AttributePrediction

pytestmark = pytest.mark.real_data


def test_training_never_sees_an_unseen_class_and_results_hold_every_accuracy(make_config, data_root, tmp_path, monkeypatch):
    seen_labels = set()
    original = AttributePrediction.losses

    def recording(self, source, target, progress):
        seen_labels.update(source.labels.tolist())
        assert target.labels is None
        return original(self, source, target, progress)

    monkeypatch.setattr(AttributePrediction, "losses", recording)
    cfg = make_config("dataset=mnist_zero_shot", "method=attribute_prediction", f"data.root={data_root}",
                      "dataset.zero_shot.unseen=[2,5,8]", "trainer.iterations=30", "trainer.eval_every=30")
    results = run(cfg, tmp_path / "run")
    assert seen_labels and not seen_labels & {2, 5, 8}
    for key in ("target_acc", "source_acc", "seen_acc", "unseen_acc", "harmonic_acc"):
        assert 0.0 <= results[key] <= 100.0
    assert results["harmonic_acc"] == pytest.approx(
        2 * results["seen_acc"] * results["unseen_acc"] / max(results["seen_acc"] + results["unseen_acc"], 1e-9))


class Constant(torch.nn.Module):
    """A 'method' whose logits always favour class 0, then class 2."""

    training = False

    def eval(self):
        return self

    def train(self, mode=True):
        return self

    def predict(self, inputs):
        return torch.tensor([[5.0, 0.0, 3.0]]).expand(len(inputs), 3)


def test_candidates_restrict_the_prediction():
    split = Split(torch.zeros(4, 2), torch.tensor([2, 2, 1, 0]))
    assert accuracy(Constant(), split, lambda x: x, 2) == 25.0
    assert accuracy(Constant(), split, lambda x: x, 2, candidates=(1, 2)) == 50.0
