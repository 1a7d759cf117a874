import torch

from transferbench.losses import coral_loss, covariance


def covariance_by_hand(rows: list[list[float]]) -> list[list[float]]:
    """The paper's C = (DᵀD − (1ᵀD)ᵀ(1ᵀD) / n) / (n − 1), entry by entry."""
    count, width = len(rows), len(rows[0])
    sums = [sum(row[i] for row in rows) for i in range(width)]
    return [
        [(sum(row[i] * row[j] for row in rows) - sums[i] * sums[j] / count) / (count - 1)
         for j in range(width)]
        for i in range(width)
    ]


def test_covariance_matches_torch_cov():
    torch.manual_seed(0)
    features = torch.randn(9, 4, dtype=torch.float64)
    assert torch.allclose(covariance(features), torch.cov(features.T))


def test_is_zero_for_a_shifted_copy():
    torch.manual_seed(0)
    source = torch.randn(10, 4, dtype=torch.float64)
    assert coral_loss(source, source + 3.0).item() < 1e-12


def test_matches_the_papers_formula_by_hand():
    torch.manual_seed(0)
    source = torch.randn(7, 3, dtype=torch.float64)
    target = 2 * torch.randn(5, 3, dtype=torch.float64)
    by_hand = zip(covariance_by_hand(source.tolist()), covariance_by_hand(target.tolist()))
    squared = sum((s - t) ** 2 for rows in by_hand for s, t in zip(*rows))
    assert abs(coral_loss(source, target).item() - squared / (4 * 3**2)) < 1e-12
