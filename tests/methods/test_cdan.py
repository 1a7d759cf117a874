"""CDAN picks the full multilinear map for small d_f × C and the randomized one above 4096."""

import pytest
import torch

from transferbench.losses import RandomizedMultilinearMap, multilinear_map
from transferbench.methods import Batch, build_method
from transferbench.methods.cdan import CDAN, conditioning_map
from transferbench.models import build_model


def test_full_map_up_to_the_threshold_and_randomized_above():
    assert conditioning_map(64, 64, 1024, 4096) == (multilinear_map, 4096)
    randomized, width = conditioning_map(65, 64, 1024, 4096)
    assert isinstance(randomized, RandomizedMultilinearMap) and width == 1024
    assert randomized(torch.randn(3, 65), torch.randn(3, 64)).shape == (3, 1024)


@pytest.mark.parametrize(("max_full_dim", "width"), [(4096, 64), (63, 16)])
def test_discriminator_input_matches_the_chosen_map(make_config, max_full_dim, width):
    cfg = make_config("method=cdan", f"method.max_full_dim={max_full_dim}", "method.randomized_dim=16")
    method = build_method(cfg.method, build_model(cfg.backbone, (2,), 2))
    assert method.adversarial.discriminator[0].in_features == width
    losses = method.losses(Batch(torch.randn(8, 2), torch.randint(0, 2, (8,))), Batch(torch.randn(8, 2)), 0.5)
    assert torch.isfinite(losses["domain"])


def test_cdan_e_is_cdan_with_entropy_conditioning(make_config):
    cfg = make_config("method=cdan_e")
    method = build_method(cfg.method, build_model(cfg.backbone, (2,), 2))
    assert isinstance(method, CDAN) and method.adversarial.entropy_conditioning
    assert not build_method(make_config("method=cdan").method, build_model(cfg.backbone, (2,), 2)).adversarial.entropy_conditioning
