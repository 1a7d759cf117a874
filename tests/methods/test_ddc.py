"""DDC / DaNN: with the linear kernel the MMD term is the squared distance of the layer means."""

import pytest
import torch

from transferbench.errors import UserError
from transferbench.methods import Batch, build_method
from transferbench.models import build_model


def build(make_config, *overrides):
    cfg = make_config("method=ddc", *overrides)
    torch.manual_seed(0)
    return build_method(cfg.method, build_model(cfg.backbone, (2,), 2))


@pytest.mark.parametrize("layer", ["fc1", "features"])
def test_linear_mmd_is_the_squared_distance_of_the_layer_means(make_config, layer):
    method = build(make_config, f"method.layer={layer}", "method.trade_off=1.0")
    source, target = torch.randn(16, 2), torch.randn(12, 2) + 1.0
    losses = method.losses(Batch(source, torch.randint(0, 2, (16,))), Batch(target), progress=0.5)
    activations = method.model(torch.cat([source, target])).blocks[layer]
    expected = (activations[:16].mean(0) - activations[16:].mean(0)).pow(2).sum()
    assert torch.allclose(losses["mmd"], expected, rtol=1e-5, atol=1e-7)
    assert expected > 0


def test_gaussian_kernel_term_is_the_biased_mmd_written_out(make_config):
    method = build(make_config, "method.kernel=gaussian", "method.bandwidth=2.0", "method.trade_off=1.0")
    source, target = torch.randn(16, 2), torch.randn(16, 2) + 1.0
    mmd = method.losses(Batch(source, torch.zeros(16, dtype=torch.long)), Batch(target), 0.0)["mmd"]
    features = method.model(torch.cat([source, target])).features
    x, y = features[:16], features[16:]

    def k(a, b):
        return torch.exp(-((a[:, None] - b[None]) ** 2).sum(-1) / 2.0).mean()

    assert torch.allclose(mmd, k(x, x) + k(y, y) - 2 * k(x, y), rtol=1e-4, atol=1e-7)


def test_unknown_kernel_is_a_user_error(make_config):
    with pytest.raises(UserError, match="kernel must be 'linear' or 'gaussian'"):
        build(make_config, "method.kernel=laplace")
