"""AutoDIAL's DA-layers: α is kept in [0.5, 1] and mixes the two domains' statistics."""

import torch
import torch.nn.functional as F
from torch import nn

from transferbench.methods import Batch, build_method
from transferbench.models import build_model
from transferbench.models.dial import DomainAlignment, convert_batch_norms


def layer_with(alpha, channels=3):
    layer = DomainAlignment(channels)
    with torch.no_grad():
        layer.alpha.fill_(alpha)
    layer.source_count = 6
    return layer


def domains(*shape):
    torch.manual_seed(0)
    return torch.randn(6, *shape), 2 * torch.randn(6, *shape) + 3


def test_alpha_is_projected_onto_its_interval():
    source, target = domains(3)
    for start, projected in [(2.0, 1.0), (-1.0, 0.5), (0.7, 0.7)]:
        layer = layer_with(start)
        layer(torch.cat([source, target]))
        assert layer.alpha.item() == torch.tensor(projected).item()


def test_alpha_one_normalises_each_domain_with_its_own_statistics():
    source, target = domains(3, 4, 4)
    outputs = layer_with(1.0)(torch.cat([source, target]))
    expected = torch.cat([F.batch_norm(x, None, None, training=True) for x in (source, target)])
    assert torch.allclose(outputs, expected, atol=1e-5)


def test_alpha_one_half_is_batch_norm_on_the_joint_batch():
    source, target = domains(3)
    joint = torch.cat([source, target])
    assert torch.allclose(layer_with(0.5)(joint), F.batch_norm(joint, None, None, training=True), atol=1e-5)


def test_evaluation_uses_the_target_mixture_of_the_running_statistics():
    source, target = domains(3)
    layer = layer_with(0.8)
    layer.momentum = 1.0
    layer(torch.cat([source, target]))
    layer.eval()
    mean = 0.8 * target.mean(0) + 0.2 * source.mean(0)
    var = 0.8 * target.var(0) + 0.2 * source.var(0) + 0.16 * (target.mean(0) - source.mean(0)) ** 2
    assert torch.allclose(layer(target), (target - mean) / torch.sqrt(var + 1e-5), atol=1e-5)


def test_evaluating_the_source_uses_the_source_mixture(make_config):
    method = build_method(make_config("method=autodial").method, build_model(make_config().backbone, (2,), 2))
    layer = next(method.alignment_layers())
    source, target = domains(layer.weight.numel())
    with torch.no_grad():
        layer.alpha.fill_(1.0)
    layer.momentum = 1.0
    layer.source_count = 6
    layer(torch.cat([source, target]))
    layer.eval()
    method.before_eval("source", None, lambda inputs: inputs)
    mean = source.mean(0)
    assert torch.allclose(layer(source), (source - mean) / torch.sqrt(source.var(0) + 1e-5), atol=1e-5)
    method.before_eval("target", None, lambda inputs: inputs)
    assert torch.allclose(layer(target), (target - target.mean(0)) / torch.sqrt(target.var(0) + 1e-5), atol=1e-5)


def test_alpha_receives_a_gradient():
    source, target = domains(3)
    layer = layer_with(0.75)
    (layer(torch.cat([source, target]))[:6] ** 3).sum().backward()
    assert layer.alpha.grad is not None and layer.alpha.grad.abs() > 0


def test_batch_norms_become_da_layers_keeping_their_state():
    norm = nn.BatchNorm1d(3)
    with torch.no_grad():
        norm.weight.fill_(2.0)
        norm.running_mean.fill_(1.0)
    model = nn.Sequential(nn.Linear(2, 3), norm)
    convert_batch_norms(model, alpha=0.9)
    assert isinstance(model[1], DomainAlignment) and model[1].alpha.item() == torch.tensor(0.9).item()
    assert torch.equal(model[1].weight, torch.full((3,), 2.0))
    assert torch.equal(model[1].source_mean, torch.ones(3)) and torch.equal(model[1].target_mean, torch.ones(3))


def test_method_aligns_the_identity_bottleneck_and_sets_the_split(make_config):
    cfg = make_config("method=autodial")
    method = build_method(cfg.method, build_model(cfg.backbone, (2,), 2))
    assert isinstance(method.model.bottleneck, DomainAlignment)
    losses = method.losses(Batch(torch.randn(5, 2), torch.randint(0, 2, (5,))), Batch(torch.randn(7, 2)), 0.0)
    assert method.model.bottleneck.source_count == 5
    assert set(losses) == {"classification", "entropy"}
    assert any(p is method.model.bottleneck.alpha for g in method.parameter_groups() for p in g["params"])
