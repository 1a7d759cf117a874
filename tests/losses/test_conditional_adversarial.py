import math

import torch
from torch import nn

from transferbench.losses import DomainAdversarialLoss, entropy_weights, multilinear_map
from transferbench.losses.conditional_adversarial import ConditionalDomainAdversarialLoss


def inputs(source_count=6, target_count=6):
    torch.manual_seed(0)
    return (
        torch.randn(source_count, 3, requires_grad=True), torch.randn(target_count, 3, requires_grad=True),
        torch.randn(source_count, 2, requires_grad=True), torch.randn(target_count, 2, requires_grad=True),
    )


def test_without_weights_it_is_dann_on_the_multilinear_map():
    f_s, f_t, l_s, l_t = inputs()
    discriminator = nn.Linear(6, 1)
    loss = ConditionalDomainAdversarialLoss(discriminator)(f_s, f_t, l_s, l_t, coefficient=1.0)
    reference = DomainAdversarialLoss(discriminator)(
        multilinear_map(f_s, l_s.softmax(1)), multilinear_map(f_t, l_t.softmax(1)), coefficient=1.0
    )
    assert math.isclose(loss.item(), reference.item(), rel_tol=1e-6)


def test_entropy_weights_are_normalised_within_each_domain():
    f_s, f_t, l_s, l_t = inputs(source_count=5, target_count=3)
    discriminator = nn.Linear(6, 1)
    loss = ConditionalDomainAdversarialLoss(discriminator, entropy_conditioning=True)(f_s, f_t, l_s, l_t, 1.0)
    p_s = torch.sigmoid(discriminator(multilinear_map(f_s, l_s.softmax(1)))).squeeze(1)
    p_t = torch.sigmoid(discriminator(multilinear_map(f_t, l_t.softmax(1)))).squeeze(1)
    w_s, w_t = entropy_weights(l_s), entropy_weights(l_t)
    by_hand = (-(w_s * p_s.log()).sum() / w_s.sum() - (w_t * (1 - p_t).log()).sum() / w_t.sum()) / 2
    assert math.isclose(loss.item(), by_hand.item(), rel_tol=1e-5)


def test_features_get_the_reversed_gradient_and_predictions_none():
    f_s, f_t, l_s, l_t = inputs()
    discriminator = nn.Linear(6, 1)
    ConditionalDomainAdversarialLoss(discriminator, entropy_conditioning=True)(f_s, f_t, l_s, l_t, 0.5).backward()
    reversed_grad, discriminator_grad = f_s.grad.clone(), discriminator.weight.grad.clone()
    assert l_s.grad is None and l_t.grad is None
    f_s.grad, discriminator.weight.grad = None, None
    ConditionalDomainAdversarialLoss(discriminator, entropy_conditioning=True)(f_s, f_t, l_s, l_t, -1.0).backward()
    assert torch.allclose(reversed_grad, -0.5 * f_s.grad)
    assert torch.allclose(discriminator_grad, discriminator.weight.grad)
