"""Pooling of conv maps and the three normalisations of off-the-shelf features."""

import pytest
import torch

from transferbench.models.embedding import Embedding, discretize, pool


def layers(rows: int = 50) -> list[torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    return [3 * torch.randn(rows, 4, generator=generator) + 1, torch.rand(rows, 6, generator=generator) * 10]


def embedding(normalization: str) -> Embedding:
    return Embedding(["a", "b"], 10, normalization=normalization)


def test_pooling_of_conv_maps():
    maps = torch.arange(2 * 3 * 2 * 2, dtype=torch.float32).view(2, 3, 2, 2)
    assert torch.equal(pool(maps, "avg"), maps.mean(dim=(2, 3)))
    assert torch.equal(pool(maps, "max"), maps[:, :, 1, 1])
    assert pool(maps, "flatten").shape == (2, 12)
    vectors = torch.randn(2, 5)
    assert all(torch.equal(pool(vectors, kind), vectors) for kind in ("avg", "max", "flatten"))


def test_l2_gives_every_layer_unit_norm():
    features = embedding("l2")(layers())
    assert torch.allclose(features[:, :4].norm(dim=1), torch.ones(50))
    assert torch.allclose(features[:, 4:].norm(dim=1), torch.ones(50))


def test_standardize_gives_zero_mean_unit_variance_on_the_training_set():
    train, test = layers(), layers(7)
    norm = embedding("standardize")
    norm.fit(train)
    features = norm(train)
    assert torch.allclose(features.mean(dim=0), torch.zeros(10), atol=1e-5)
    assert torch.allclose(features.std(dim=0, correction=0), torch.ones(10), atol=1e-5)
    raw = torch.cat(test, dim=1)
    assert torch.allclose(norm(test), (raw - norm.mean) / norm.std)


def test_a_constant_feature_standardizes_to_zero():
    norm = embedding("standardize")
    train = layers()
    train[0][:, 2] = 5.0
    norm.fit(train)
    assert norm.std[2] == 0 and torch.equal(norm(train)[:, 2], torch.zeros(50))


def test_discretize_maps_z_values_to_minus_one_zero_one_at_the_fne_thresholds():
    train = layers()
    discrete, standard = embedding("discretize"), embedding("standardize")
    discrete.fit(train)
    standard.fit(train)
    features, z = discrete(train), standard(train)
    assert set(features.unique().tolist()) == {-1.0, 0.0, 1.0}
    assert torch.equal(features == 1, z > 0.15) and torch.equal(features == -1, z < -0.25)


def test_discretize_thresholds_are_exclusive():
    z = torch.tensor([-0.3, -0.25, 0.0, 0.15, 0.2])
    assert discretize(z, -0.25, 0.15).tolist() == [-1.0, 0.0, 0.0, 0.0, 1.0]


@pytest.mark.parametrize("normalization", ["none", "l2", "standardize", "discretize"])
def test_statistics_are_buffers_saved_with_the_method(normalization):
    norm = embedding(normalization)
    norm.fit(layers())
    restored = embedding(normalization)
    restored.load_state_dict(norm.state_dict())
    assert torch.equal(restored(layers(5)), norm(layers(5)))
