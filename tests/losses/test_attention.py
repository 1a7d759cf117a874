import math

import pytest
import torch

from transferbench.losses import activation_transfer_loss, attention_map, attention_transfer_loss


def attention_by_hand(activation: torch.Tensor, power: float) -> list[float]:
    """Σ_c |A_c(h, w)|^p at each position, then divided by the vector's L2 norm (one example)."""
    channels, height, width = activation.shape
    values = [
        sum(abs(activation[c, h, w].item()) ** power for c in range(channels))
        for h in range(height) for w in range(width)
    ]
    norm = math.sqrt(sum(v * v for v in values))
    return [v / norm for v in values]


@pytest.mark.parametrize("power", [1.0, 2.0, 4.0])
def test_attention_map_matches_the_definition(power):
    torch.manual_seed(0)
    activation = torch.randn(2, 3, 4, 5, dtype=torch.float64)
    maps = attention_map(activation, power)
    assert maps.shape == (2, 20)
    for example in range(2):
        assert torch.allclose(maps[example], torch.tensor(attention_by_hand(activation[example], power), dtype=torch.float64))


def test_attention_transfer_sums_pairs_and_averages_squares():
    torch.manual_seed(0)
    student = [torch.randn(3, 4, 6, 6, dtype=torch.float64), torch.randn(3, 8, 3, 3, dtype=torch.float64)]
    teacher = [torch.randn(3, 16, 6, 6, dtype=torch.float64), torch.randn(3, 32, 3, 3, dtype=torch.float64)]
    expected = 0.0
    for s, t in zip(student, teacher):
        squares = [
            (a - b) ** 2
            for example in range(3)
            for a, b in zip(attention_by_hand(s[example], 2.0), attention_by_hand(t[example], 2.0))
        ]
        expected += sum(squares) / len(squares)
    assert math.isclose(attention_transfer_loss(student, teacher).item(), expected, rel_tol=1e-9)


def test_attention_ignores_the_scale_and_the_sign_of_activations():
    torch.manual_seed(0)
    activation = torch.randn(2, 4, 5, 5, dtype=torch.float64)
    assert attention_transfer_loss([activation], [-7.0 * activation]).item() < 1e-20


def test_a_vector_layer_counts_each_unit_as_a_position():
    activation = torch.tensor([[3.0, -4.0, 0.0]])
    assert torch.allclose(attention_map(activation), torch.tensor([[9.0, 16.0, 0.0]]) / (81 + 256) ** 0.5)
    with pytest.raises(ValueError, match=r"\(N, C, H, W\) or \(N, D\)"):
        attention_map(torch.randn(4, 10, 3))


def test_activation_transfer_is_the_mean_squared_difference_summed_over_pairs():
    torch.manual_seed(0)
    student = [torch.randn(2, 3, 4, 4), torch.randn(2, 7)]
    teacher = [torch.randn(2, 3, 4, 4), torch.randn(2, 7)]
    expected = sum(((s - t) ** 2).sum().item() / s.numel() for s, t in zip(student, teacher))
    assert math.isclose(activation_transfer_loss(student, teacher).item(), expected, rel_tol=1e-5)
