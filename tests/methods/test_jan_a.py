"""JAN-A: the affine maps θ are the method's own parameters, and they ascend JMMD."""

import torch

from transferbench.methods import Batch, build_method
from transferbench.models import build_model


def test_thetas_are_optimised_and_ascend_the_discrepancy(make_config):
    cfg = make_config("method=jan_a")
    torch.manual_seed(0)
    method = build_method(cfg.method, build_model(cfg.backbone, (2,), 2))
    thetas = list(method.jmmd.thetas.parameters())
    extra = method.parameter_groups()[-1]
    assert extra["lr_mult"] == 1.0 and {id(p) for p in extra["params"]} == {id(p) for p in thetas}
    source, target = Batch(torch.randn(16, 2), torch.randint(0, 2, (16,))), Batch(torch.randn(16, 2) + 1)
    before = method.losses(source, target, progress=1.0)["jmmd"]
    before.backward()
    torch.optim.SGD(thetas, lr=0.5).step()
    assert method.losses(source, target, progress=1.0)["jmmd"] > before


def test_probabilities_use_a_gaussian_of_sigma_0_92(make_config):
    method = build_method(make_config("method=jan").method, build_model(make_config().backbone, (2,), 2))
    assert abs(method.jmmd.kernels[1].bandwidth - 2 * 0.92**2) < 1e-12
