import math

import torch

from transferbench.losses import distillation_loss


def kd_by_hand(student: list[float], teacher: list[float], temperature: float) -> float:
    """T² · Σ_k p_k (log p_k − log q_k) for one example, with explicit softmaxes."""
    def softmax(logits: list[float]) -> list[float]:
        exps = [math.exp(z / temperature) for z in logits]
        return [e / sum(exps) for e in exps]

    p, q = softmax(teacher), softmax(student)
    return temperature**2 * sum(pk * (math.log(pk) - math.log(qk)) for pk, qk in zip(p, q))


def test_matches_the_formula_by_hand_with_the_t_squared_factor():
    torch.manual_seed(0)
    student, teacher = torch.randn(4, 5, dtype=torch.float64), 3 * torch.randn(4, 5, dtype=torch.float64)
    for temperature in (1.0, 4.0, 20.0):
        expected = sum(kd_by_hand(s, t, temperature) for s, t in zip(student.tolist(), teacher.tolist())) / 4
        assert math.isclose(distillation_loss(student, teacher, temperature).item(), expected, rel_tol=1e-9)


def test_is_zero_when_the_student_copies_the_teacher():
    logits = torch.randn(6, 10, dtype=torch.float64)
    assert distillation_loss(logits.clone(), logits, 20.0).item() < 1e-12


def test_gradient_magnitude_is_roughly_independent_of_the_temperature():
    """The T² factor keeps the soft-target gradient comparable across temperatures (§2.1): without
    it the gradient of the KL term would shrink about 1/T² from T = 2 to T = 20."""
    torch.manual_seed(0)
    teacher = 3 * torch.randn(64, 10, dtype=torch.float64)
    norms = []
    for temperature in (2.0, 20.0):
        student = torch.randn(64, 10, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
        student.requires_grad_(True)
        distillation_loss(student, teacher, temperature).backward()
        norms.append(student.grad.norm().item())
    assert 0.1 < norms[1] / norms[0] < 10
