"""Domain alignment layers of AutoDIAL (Carlucci et al., ICCV 2017, §3.1).

A DA-layer normalises source inputs with the moments of the mixture q_st = α q_s + (1 − α) q_t
and target inputs with those of q_ts = α q_t + (1 − α) q_s, then applies BatchNorm's affine map:

    DA(x_s) = (x_s − μ_st) / √(σ²_st + ε),   μ_st = α μ_s + (1 − α) μ_t,
    σ²_st = α σ²_s + (1 − α) σ²_t + α (1 − α) (μ_s − μ_t)²,

and symmetrically for the target. α ∈ [0.5, 1] is learned per layer: α = 1 normalises each
domain with its own statistics (DIAL, as AdaBN at test time), α = 0.5 both with the statistics
of the pooled batch (BatchNorm on the joint batch of equal halves).

In training a batch holds ``source_count`` source rows, then target rows; at evaluation every
row is taken as coming from ``eval_domain`` (the target unless the engine is evaluating the
source) and normalised with running estimates of both domains' moments.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

Moments = tuple[torch.Tensor, torch.Tensor]
DOMAINS = ("source", "target")


class DomainAlignment(nn.Module):
    """A BatchNorm-like layer over channel dimension 1 with domain-mixed statistics."""

    def __init__(
        self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, alpha: float = 1.0
    ) -> None:
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.alpha = nn.Parameter(torch.tensor(float(alpha)))
        for domain in DOMAINS:
            self.register_buffer(f"{domain}_mean", torch.zeros(num_features))
            self.register_buffer(f"{domain}_var", torch.ones(num_features))
        self.source_count: int | None = None
        self.eval_domain = "target"

    @classmethod
    def from_batch_norm(cls, layer: _BatchNorm, alpha: float) -> "DomainAlignment":
        """A DA-layer that starts from a BatchNorm's affine map and running statistics."""
        aligned = cls(layer.num_features, layer.eps, layer.momentum or 0.1, alpha)
        with torch.no_grad():
            if layer.affine:
                aligned.weight.copy_(layer.weight)
                aligned.bias.copy_(layer.bias)
            if layer.track_running_stats:
                for mean, var in map(aligned.running, DOMAINS):
                    mean.copy_(layer.running_mean)
                    var.copy_(layer.running_var)
        return aligned

    def running(self, domain: str) -> Moments:
        """The running mean and variance of ``domain`` ("source" or "target")."""
        return getattr(self, f"{domain}_mean"), getattr(self, f"{domain}_var")

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            self.alpha.clamp_(0.5, 1.0)
        if not self.training:
            own, other = self.eval_domain, DOMAINS[1 - DOMAINS.index(self.eval_domain)]
            return self._normalize(inputs, self.running(own), self.running(other))
        if self.source_count is None:
            raise RuntimeError("set DomainAlignment.source_count before a training forward pass")
        parts = inputs[: self.source_count], inputs[self.source_count :]
        source, target = map(self._moments, parts)
        for domain, part, moments in zip(DOMAINS, parts, (source, target)):
            self._track(domain, part, moments)
        return torch.cat(
            [self._normalize(parts[0], source, target), self._normalize(parts[1], target, source)]
        )

    def mixed_moments(self, own: Moments, other: Moments) -> Moments:
        """Mean and variance of the mixture α q_own + (1 − α) q_other."""
        alpha, (own_mean, own_var), (other_mean, other_var) = self.alpha, own, other
        mean = alpha * own_mean + (1 - alpha) * other_mean
        spread = alpha * (1 - alpha) * (own_mean - other_mean) ** 2
        return mean, alpha * own_var + (1 - alpha) * other_var + spread

    def _normalize(self, inputs: torch.Tensor, own: Moments, other: Moments) -> torch.Tensor:
        mean, var = self.mixed_moments(own, other)
        shape = (1, -1) + (1,) * (inputs.dim() - 2)
        normalized = (inputs - mean.view(shape)) / torch.sqrt(var.view(shape) + self.eps)
        return normalized * self.weight.view(shape) + self.bias.view(shape)

    @staticmethod
    def _moments(inputs: torch.Tensor) -> Moments:
        """Per-channel mean and biased variance over every dimension but the channel."""
        dims = [0, *range(2, inputs.dim())]
        return inputs.mean(dims), inputs.var(dims, unbiased=False)

    @torch.no_grad()
    def _track(self, domain: str, inputs: torch.Tensor, moments: Moments) -> None:
        """BatchNorm's exponential running averages, with the unbiased variance."""
        count = inputs.numel() // inputs.shape[1]
        (running_mean, running_var), (mean, var) = self.running(domain), moments
        running_mean.lerp_(mean, self.momentum)
        running_var.lerp_(var * count / max(count - 1, 1), self.momentum)


def convert_batch_norms(module: nn.Module, alpha: float) -> None:
    """Replace, in place, every BatchNorm below ``module`` with a :class:`DomainAlignment`."""
    for name, child in module.named_children():
        if isinstance(child, _BatchNorm):
            setattr(module, name, DomainAlignment.from_batch_norm(child, alpha))
        else:
            convert_batch_norms(child, alpha)
