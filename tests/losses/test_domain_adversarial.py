import math

import torch
from torch import nn

from transferbench.losses import DomainAdversarialLoss


def test_matches_the_binary_cross_entropy_written_out():
    torch.manual_seed(0)
    discriminator = nn.Linear(4, 1)
    source, target = torch.randn(6, 4), torch.randn(3, 4)
    loss = DomainAdversarialLoss(discriminator)(source, target, coefficient=1.0)
    p_source = torch.sigmoid(discriminator(source)).squeeze(1)
    p_target = torch.sigmoid(discriminator(target)).squeeze(1)
    by_hand = -(torch.log(p_source).sum() + torch.log(1 - p_target).sum()) / 9
    assert math.isclose(loss.item(), by_hand.item(), rel_tol=1e-5)


def test_features_receive_reversed_gradient_while_discriminator_descends():
    torch.manual_seed(0)
    discriminator = nn.Linear(2, 1)
    source = torch.randn(8, 2, requires_grad=True)
    target = torch.randn(8, 2, requires_grad=True)
    DomainAdversarialLoss(discriminator)(source, target, coefficient=0.5).backward()
    plain_source = source.detach().clone().requires_grad_()
    plain_target = target.detach().clone().requires_grad_()
    DomainAdversarialLoss(discriminator)(plain_source, plain_target, coefficient=-1.0).backward()
    assert torch.allclose(source.grad, -0.5 * plain_source.grad)
