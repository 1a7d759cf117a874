"""The progressive weight of alignment methods (JAN, ICML 2017, §4): 0 at the start, λ · λ_p
during training, the plain λ when switched off."""

import math

import pytest
import torch

from transferbench.methods import Batch, build_method
from transferbench.models import build_model


def term_at(make_config, progress, *overrides):
    cfg = make_config("method=dan", "method.trade_off=2.0", *overrides)
    torch.manual_seed(0)
    method = build_method(cfg.method, build_model(cfg.backbone, (2,), 2))
    torch.manual_seed(1)
    source, target = torch.randn(16, 2), torch.randn(16, 2) + 1.0
    return method.losses(Batch(source, torch.zeros(16, dtype=torch.long)), Batch(target), progress)["mmd"]


@pytest.mark.parametrize("progress", [0.05, 0.3, 1.0])
def test_progressive_weight_follows_the_dann_schedule(make_config, progress):
    fixed = term_at(make_config, progress, "method.progressive=false")
    ramped = term_at(make_config, progress, "method.progressive=true")
    expected = 2.0 / (1.0 + math.exp(-10.0 * progress)) - 1.0
    assert fixed > 0
    assert torch.allclose(ramped, fixed * expected, rtol=1e-5)


def test_progressive_weight_starts_at_zero(make_config):
    assert term_at(make_config, 0.0, "method.progressive=true") == 0
    assert term_at(make_config, 0.0, "method.progressive=false") > 0
