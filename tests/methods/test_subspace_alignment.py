"""Subspace Alignment: its statistics, bases, alignment and 1-NN against a hand computation; it beats
no alignment where only the alignment can help; its fitted state survives a checkpoint; it runs
through the engine on the moons."""


import numpy as np
import pytest
import torch
from sklearn.neighbors import KNeighborsClassifier

from tests.methods.conftest import fitted_on_moons
from transferbench.data.domain import Domain, Split
from transferbench.data.task import Normalize, Task
from transferbench.errors import UserError
from transferbench.experiment import Experiment, run
from transferbench.methods import build_method
from transferbench.methods.subspace_alignment import NearestNeighbour
from transferbench.models import build_model

MOONS = "method.dims=2"  # the moons have two features


def toy_task(source: Split, target: Split) -> Task:
    """A task of float features whose test splits are its training splits."""
    return Task("toy", Domain(source, source), Domain(target, target), 2, Normalize(None, None))


def method_for(make_config, width: int, *overrides: str):
    cfg = make_config("method=subspace_alignment", *overrides)
    torch.manual_seed(0)
    return build_method(cfg.method, build_model(cfg.backbone, (width,), 2))


def fitted(make_config, *overrides: str):
    return fitted_on_moons(make_config, "method=subspace_alignment", MOONS, *overrides)


def hand_subspace(points: np.ndarray, dims: int) -> tuple[np.ndarray, np.ndarray]:
    """z-scores with the points' own (population) statistics, and the d leading eigenvectors of
    their covariance as columns."""
    z = (points - points.mean(axis=0)) / points.std(axis=0)
    values, vectors = np.linalg.eigh(z.T @ z / len(z))
    assert np.all(np.diff(values)[-dims:] > 0.05), "distinct leading eigenvalues: a unique subspace"
    return z, vectors[:, ::-1][:, :dims]


def signs_like(basis: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """``basis`` with each column's sign flipped to agree with ``reference``'s (PCA's sign is arbitrary)."""
    return basis * np.sign(np.sum(basis * reference, axis=0))


def test_statistics_bases_alignment_and_1nn_are_the_hand_computation(make_config):
    rng = np.random.default_rng(0)
    latent = rng.normal(size=(10, 2)) * [2.0, 1.0]
    source_x = latent @ rng.normal(size=(2, 4)) + 0.3 * rng.normal(size=(10, 4))
    target_x = 3.0 * (latent @ rng.normal(size=(2, 4)) + 0.3 * rng.normal(size=(10, 4))) + [5.0, -2.0, 0.0, 1.0]
    labels = torch.tensor([0, 1] * 5)
    inputs = {domain: torch.tensor(x, dtype=torch.float32) for domain, x in zip(("source", "target"), (source_x, target_x))}
    splits = {domain: Split(points, labels) for domain, points in inputs.items()}
    method = method_for(make_config, 4, "method.dims=2")
    method.before_fit(toy_task(splits["source"], splits["target"]))

    z_s, p_s = hand_subspace(source_x, 2)
    z_t, p_t = hand_subspace(target_x, 2)
    stored_s, stored_t = (method.subspaces[domain].basis.double().numpy() for domain in ("source", "target"))
    assert np.allclose(method.subspaces["target"].mean.numpy(), target_x.mean(axis=0), atol=1e-5)
    assert np.allclose(method.subspaces["target"].std.numpy(), target_x.std(axis=0), atol=1e-5)
    assert np.allclose(stored_s @ stored_s.T, p_s @ p_s.T, atol=1e-4)
    assert np.allclose(stored_t @ stored_t.T, p_t @ p_t.T, atol=1e-4)
    p_s, p_t = signs_like(p_s, stored_s), signs_like(p_t, stored_t)
    alignment = p_s.T @ p_t
    assert np.allclose(method.alignment.numpy(), alignment, atol=1e-4)
    aligned_source, projected_target = z_s @ p_s @ alignment, z_t @ p_t
    assert np.allclose(method.project(inputs["source"], "source").numpy(), aligned_source, atol=1e-4)
    assert np.allclose(method.project(inputs["target"], "target").numpy(), projected_target, atol=1e-4)

    stored = method.head.examples.double().numpy()
    match = np.linalg.norm(stored[:, None] - aligned_source[None], axis=2).argmin(axis=1)
    assert sorted(match) == list(range(10)) and np.allclose(stored, aligned_source[match], atol=1e-4)
    assert torch.equal(method.head.labels, labels[match])

    distances = np.linalg.norm(projected_target[:, None] - aligned_source[None], axis=2)
    nearest = np.stack([distances[:, labels.numpy() == c].min(axis=1) for c in (0, 1)], axis=1)
    logits = method.predict(inputs["target"])  # no before_eval yet: the target's projection
    assert np.allclose(logits.numpy(), -nearest, atol=1e-4)
    assert np.array_equal(logits.argmax(dim=1).numpy(), labels.numpy()[distances.argmin(axis=1)])
    method.before_eval("source", splits["source"], lambda x: x)
    assert torch.equal(method.predict(inputs["source"]).argmax(dim=1), labels)


def drifted(seed: int, count: int, spread: float, scale: torch.Tensor, shift: torch.Tensor) -> Split:
    """Two classes along the first of two latent directions, mixed into six features (a fixed
    mixing), with ``spread`` the second direction's standard deviation; then rescaled and shifted."""
    mixing = torch.linalg.qr(torch.randn(6, 2, generator=torch.Generator().manual_seed(1)))[0]
    generator = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 2, (count,), generator=generator)
    latent = torch.randn(count, 2, generator=generator) * torch.tensor([0.5, spread])
    latent[:, 0] += 4.0 * labels - 2.0
    points = latent @ mixing.T + 0.1 * torch.randn(count, 6, generator=generator)
    return Split(points * scale + shift, labels)


def test_alignment_beats_raw_features_and_unaligned_subspaces(make_config):
    """The target's nuisance direction outgrows its class direction (its principal directions come
    in the other order) and its features are rescaled and shifted: 1-NN on the raw features, and
    on each domain's own principal coordinates (M = I), fail where SA does not."""
    source = drifted(0, 200, spread=1.0, scale=torch.ones(6), shift=torch.zeros(6))
    target = drifted(1, 200, spread=4.0, scale=torch.linspace(1, 3, 6), shift=torch.linspace(-5, 5, 6))
    method = method_for(make_config, 6, "method.dims=2")
    method.before_fit(toy_task(source, target))
    aligned = (method.predict(target.inputs).argmax(dim=1) == target.labels).float().mean().item()
    raw = KNeighborsClassifier(1).fit(source.inputs, source.labels).score(target.inputs, target.labels)
    own = method.subspaces["source"](source.inputs), method.subspaces["target"](target.inputs)
    unaligned = KNeighborsClassifier(1).fit(own[0], source.labels).score(own[1], target.labels)
    assert aligned > 0.95 and raw < 0.8 and unaligned < 0.6


@pytest.mark.parametrize("classifier", ["knn", "svm", "logistic"])
def test_a_reloaded_method_predicts_each_domain_identically(make_config, classifier):
    cfg, task, method = fitted(make_config, f"method.classifier={classifier}")
    torch.manual_seed(1)
    reloaded = build_method(cfg.method, build_model(cfg.backbone, task.input_shape, task.num_classes))
    reloaded.load_state_dict(method.state_dict())
    inputs = task.target.test.inputs
    assert torch.equal(reloaded.predict(inputs), method.predict(inputs))
    for domain in ("source", "target"):
        split = getattr(task, domain)
        for each in (method, reloaded):
            each.before_eval(domain, split.train, task.eval_inputs)
        assert torch.equal(reloaded.predict(split.test.inputs), method.predict(split.test.inputs))
    assert not torch.equal(method.logits(inputs, "source"), method.logits(inputs, "target"))


def test_the_draw_of_examples_is_seeded_and_capped(make_config):
    _, _, first = fitted(make_config, "method.max_samples=50")
    _, _, again = fitted(make_config, "method.max_samples=50")
    _, _, other = fitted(make_config, "method.max_samples=50", "method.seed=1")
    assert first.head.examples.shape == (50, 2)
    assert all(torch.equal(value, again.state_dict()[name]) for name, value in first.state_dict().items())
    assert not torch.equal(first.head.examples, other.head.examples)


def test_a_network_block_is_the_feature_and_the_network_stays_fixed(make_config):
    _, task, method = fitted(make_config, "method.layer=fc2", "method.dims=20")
    inputs = task.target.test.inputs
    assert not method.model.training and method.training
    assert not any(p.requires_grad for p in method.model.parameters())
    assert torch.equal(method.features(inputs), method.model(inputs).blocks["fc2"])
    assert method.subspaces["target"].basis.shape == (32, 20)
    assert isinstance(method.head, NearestNeighbour)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["method.classifier=nn"], "method.classifier=nn is not one of: knn, svm, logistic"),
        (["method.pooling=sum"], "method.pooling=sum is not one of: avg, max, flatten"),
        (["method.layer=nope"], "unknown layer 'nope'; choose one of: input, fc1, fc2, features, logits"),
        (["method.dims=3"], "method.dims=3 exceeds the 2 features of layer input; set method.dims to at most 2"),
        (["method.dims=0"], "method.dims=0 must be at least 1"),
    ],
)
def test_bad_options_are_one_line(make_config, overrides, message):
    with pytest.raises(UserError, match=f"^{message}$"):
        method_for(make_config, 2, *overrides)


def test_more_dims_than_drawn_examples_is_one_line(make_config):
    message = "method.dims=2 exceeds the 1 source training examples; set method.dims to at most 1"
    with pytest.raises(UserError, match=f"^{message}$"):
        fitted(make_config, "method.max_samples=1")


@pytest.mark.parametrize("overrides", [[MOONS], ["method.layer=fc2", "method.classifier=logistic"]])
def test_the_engine_fits_evaluates_and_resumes_without_a_step(make_config, tmp_path, overrides):
    cfg = make_config("method=subspace_alignment", *overrides)
    results = run(cfg, tmp_path / "run")
    assert results["status"] == "completed" and results["iterations"] == 0
    assert results["source_acc"] > 95 and results["target_acc"] > 80
    [record] = results["history"]
    assert set(record["losses"]) == {"classification"} and record["losses"]["classification"] > 0
    experiment = Experiment.build(cfg)
    state = experiment.trainer(tmp_path / "checkpoint.pt").fit()
    fitted_state = {name: value.clone() for name, value in experiment.method.state_dict().items()}
    resumed = Experiment.build(cfg)
    assert resumed.trainer(tmp_path / "checkpoint.pt").fit().history == state.history
    assert all(torch.equal(value, fitted_state[name]) for name, value in resumed.method.state_dict().items())
