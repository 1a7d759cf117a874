import torch

from transferbench.losses import GradientReversal, reverse_gradient


def test_forward_is_identity_and_gradient_is_scaled_by_minus_lambda():
    inputs = torch.randn(5, 3, requires_grad=True)
    weights = torch.randn(5, 3)
    outputs = reverse_gradient(inputs, 0.3)
    assert torch.equal(outputs, inputs)
    (outputs * weights).sum().backward()
    assert torch.allclose(inputs.grad, -0.3 * weights)


def test_module_follows_its_coefficient():
    layer = GradientReversal()
    layer.coefficient = 2.0
    inputs = torch.ones(4, requires_grad=True)
    layer(inputs).sum().backward()
    assert torch.allclose(inputs.grad, torch.full((4,), -2.0))
