import math

import torch
import torch.nn.functional as F

from transferbench.losses import RandomizedMultilinearMap, entropy_weights, multilinear_map


def test_full_map_is_the_flattened_einsum_outer_product():
    torch.manual_seed(0)
    features, predictions = torch.randn(4, 5), torch.randn(4, 3)
    expected = torch.einsum("nf,ng->nfg", features, predictions).reshape(4, 15)
    assert torch.allclose(multilinear_map(features, predictions), expected)


def test_randomized_map_has_its_shape_and_is_fixed_by_its_buffers():
    torch.manual_seed(0)
    features, predictions = torch.randn(4, 5), torch.randn(4, 3)
    mapping = RandomizedMultilinearMap(5, 3, output_dim=16)
    outputs = mapping(features, predictions)
    assert outputs.shape == (4, 16)
    assert torch.equal(mapping(features, predictions), outputs)
    restored = RandomizedMultilinearMap(5, 3, output_dim=16)
    assert not torch.allclose(restored(features, predictions), outputs)
    restored.load_state_dict(mapping.state_dict())
    assert torch.equal(restored(features, predictions), outputs)


def test_randomized_inner_products_approximate_the_full_map():
    generator = torch.Generator().manual_seed(0)
    features = F.normalize(torch.randn(6, 5, generator=generator), dim=1)
    predictions = F.normalize(torch.randn(6, 3, generator=generator), dim=1)
    mapping = RandomizedMultilinearMap(5, 3, output_dim=20000, generator=generator)
    randomized, full = mapping(features, predictions), multilinear_map(features, predictions)
    assert torch.allclose(randomized @ randomized.T, full @ full.T, atol=0.1)


def test_entropy_weights_range_from_one_plus_one_over_c_to_two():
    logits = torch.tensor([[0.0, 0.0, 0.0, 0.0], [100.0, 0.0, 0.0, 0.0]])
    assert torch.allclose(entropy_weights(logits), torch.tensor([1 + 1 / 4, 2.0]))
    assert math.isclose(entropy_weights(torch.zeros(1, 2)).item(), 1.5)
