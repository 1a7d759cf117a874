"""Feature extraction on the moons: scikit-learn's classifier, reproduced in torch, untouched by
the engine's steps; every normalisation runs end to end and gives what it promises."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from tests.methods.conftest import fitted_on_moons
from transferbench.errors import UserError
from transferbench.methods import build_method
from transferbench.methods.feature_extraction import ABSENT_LOGIT, fit_linear
from transferbench.models import build_model
from transferbench.experiment import Experiment, run

LAYERS = "method.layers=[fc1,fc2]"


def fitted(make_config, *overrides):
    return fitted_on_moons(make_config, "method=feature_extraction", LAYERS, *overrides)


def train_features(method, task):
    layers, _ = method.extract(task.source.train, task.eval_inputs)
    return layers, method.embedding(layers)


@pytest.mark.parametrize(("classifier", "reference"), [("svm", LinearSVC), ("logistic", LogisticRegression)])
def test_predictions_are_the_scikit_learn_decision_function(make_config, classifier, reference):
    _, task, method = fitted(make_config, f"method.classifier={classifier}")
    _, features = train_features(method, task)
    expected = reference(C=1.0, max_iter=1000, **({"random_state": 0} if classifier == "svm" else {}))
    expected.fit(features.numpy(), task.source.train.labels.numpy())
    logits = method.predict(task.source.train.inputs)
    decision = (logits[:, 1] - logits[:, 0]).numpy()
    assert np.allclose(decision, expected.decision_function(features.numpy()), atol=1e-4)


def test_the_engine_takes_no_step_and_builds_no_optimizer(make_config, tmp_path):
    cfg = make_config("method=feature_extraction", LAYERS, "trainer.iterations=50")
    experiment = Experiment.build(cfg)
    assert not experiment.method.trains_by_gradient
    trainer = experiment.trainer(tmp_path / "checkpoint.pt")
    assert trainer.optimizer is None and trainer.scheduler is None
    state = trainer.fit()
    assert state.iteration == 0 and [record["iteration"] for record in state.history] == [0]
    assert set(state.history[0]["losses"]) == {"classification"} and state.history[0]["losses"]["classification"] > 0
    fitted_state = {name: value.clone() for name, value in experiment.method.state_dict().items()}
    resumed = Experiment.build(cfg)
    resumed.trainer(tmp_path / "checkpoint.pt").fit()
    assert all(torch.equal(value, fitted_state[name]) for name, value in resumed.method.state_dict().items())


@pytest.mark.parametrize("normalization", ["none", "l2", "standardize", "discretize"])
def test_every_normalization_runs_end_to_end(make_config, tmp_path, normalization):
    cfg = make_config(
        "method=feature_extraction", LAYERS, f"method.normalization={normalization}",
    )
    results = run(cfg, tmp_path)
    assert results["status"] == "completed" and results["iterations"] == 0
    assert results["target_acc"] > 50 and results["source_acc"] > 75


def test_normalized_training_features_are_what_each_normalization_promises(make_config):
    _, task, method = fitted(make_config, "method.normalization=l2")
    layers, features = train_features(method, task)
    widths = [layer.shape[1] for layer in layers]
    assert all(torch.allclose(part.norm(dim=1), torch.ones(len(part))) for part in features.split(widths, dim=1))
    _, task, method = fitted(make_config, "method.normalization=standardize")
    _, features = train_features(method, task)
    varies = method.embedding.std > 0
    assert torch.allclose(features.mean(dim=0), torch.zeros(features.shape[1]), atol=1e-4)
    assert torch.allclose(features.std(dim=0, correction=0)[varies], torch.ones(int(varies.sum())), atol=1e-4)
    _, task, method = fitted(make_config, "method.normalization=discretize")
    _, features = train_features(method, task)
    assert set(features.unique().tolist()) <= {-1.0, 0.0, 1.0}


def test_the_network_is_fixed_and_in_eval_mode_and_defaults_to_its_last_block(make_config):
    cfg = make_config("method=feature_extraction")
    method = build_method(cfg.method, build_model(cfg.backbone, (2,), 2))
    assert method.embedding.layers == ["fc2"]
    assert not method.model.training and method.training
    assert not any(p.requires_grad for p in method.model.parameters())


def test_a_class_missing_from_the_training_split_is_never_predicted():
    features = np.random.default_rng(0).normal(size=(30, 4)).astype(np.float32)
    labels = np.repeat([0, 2, 3], 10)
    features[labels == 2] += 3
    weight, bias = fit_linear("logistic", features, labels, 4, C=1.0, max_iter=1000)
    assert weight.shape == (4, 4) and not weight[1].any() and bias[1] == ABSENT_LOGIT
    assert 1 not in (features @ weight.T + bias).argmax(axis=1)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("method.layers=[fc1,nope]", "unknown layer 'nope'; choose one of: fc1, fc2, features, logits"),
        ("method.normalization=zca", "method.normalization=zca is not one of: none, l2, standardize, discretize"),
        ("method.pooling=sum", "method.pooling=sum is not one of: avg, max, flatten"),
        ("method.classifier=knn", "method.classifier=knn is not one of: svm, logistic"),
    ],
)
def test_bad_options_are_one_line(make_config, override, message):
    cfg = make_config("method=feature_extraction", override)
    with pytest.raises(UserError, match=message):
        build_method(cfg.method, build_model(cfg.backbone, (2,), 2))
