import torch
from torch import nn

from transferbench.losses import input_gradient, jacobian_matching_loss


def tiny_net(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2)).double()


def finite_difference_gradient(net: nn.Module, x: torch.Tensor, output: int, step: float = 1e-6) -> torch.Tensor:
    """∂ net(x)[output] / ∂x_i by central differences, one example."""
    gradient = torch.zeros_like(x)
    for i in range(len(x)):
        bump = torch.zeros_like(x)
        bump[i] = step
        gradient[i] = (net(x + bump)[output] - net(x - bump)[output]) / (2 * step)
    return gradient


def test_input_gradient_matches_finite_differences_per_example():
    net = tiny_net(0)
    inputs = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    classes = torch.tensor([0, 1, 1, 0])
    gradient = input_gradient(net(inputs).gather(1, classes[:, None]), inputs, create_graph=False)
    for row, cls in enumerate(classes.tolist()):
        expected = finite_difference_gradient(net, inputs[row].detach(), cls)
        assert torch.allclose(gradient[row], expected, atol=1e-7)


def test_matching_loss_is_the_normalised_squared_distance():
    student, teacher = torch.tensor([[3.0, 4.0]]), torch.tensor([[0.0, -2.0]])
    # (0.6, 0.8) − (0, −1) = (0.6, 1.8): squared norm 0.36 + 3.24.
    assert abs(jacobian_matching_loss(student, teacher).item() - 3.6) < 1e-6
    assert jacobian_matching_loss(5 * teacher, teacher).item() < 1e-12


def test_double_backprop_reaches_the_students_weights():
    """ℓ_J depends on the student's weights only through ∇ₓ f, so its gradient needs create_graph."""
    student, teacher = tiny_net(0), tiny_net(1)
    inputs = torch.randn(6, 3, dtype=torch.float64, requires_grad=True)
    teacher_gradient = input_gradient(teacher(inputs)[:, 0], inputs, create_graph=False)
    student_gradient = input_gradient(student(inputs)[:, 0], inputs, create_graph=True)
    jacobian_matching_loss(student_gradient, teacher_gradient).backward()
    weight = student[0].weight
    assert weight.grad is not None and weight.grad.abs().sum() > 0
    step = 1e-6
    with torch.no_grad():
        weight[0, 0] += step
    bumped = jacobian_matching_loss(
        input_gradient(student(inputs)[:, 0], inputs, create_graph=False), teacher_gradient
    )
    with torch.no_grad():
        weight[0, 0] -= 2 * step
    lowered = jacobian_matching_loss(
        input_gradient(student(inputs)[:, 0], inputs, create_graph=False), teacher_gradient
    )
    assert abs((bumped - lowered).item() / (2 * step) - weight.grad[0, 0].item()) < 1e-5
