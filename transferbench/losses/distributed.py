"""Losses over the whole batch in a run of several processes (``engine/distributed.py``).

Each process holds 1/N of the global batch. A loss that is a mean over rows (cross-entropy, a
domain classifier's) needs nothing more: DDP's average of the processes' gradients is the
gradient of the global mean. A loss over the whole batch does not decompose so (MMD's kernel
means, a covariance, a weighted mean): computed on each process's share it is another, noisier
estimator. The functions marked :func:`over_all_processes` therefore see every process's rows.
With G = [x_0; …; x_{N−1}] gathered in rank order, every process q computes the same L_q = L(G);
the backward hands process r the gradient

    Σ_q ∂L_q/∂x_r = N · ∂L/∂x_r      (the sum over processes of the gradient of G, r's rows),

which DDP's average over processes divides by N again: the step is the one-process step on the
global batch. One process passes its arguments through unchanged.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

import torch
import torch.distributed as dist

F = TypeVar("F", bound=Callable[..., torch.Tensor])


class _GatherRows(torch.autograd.Function):
    """Every process's rows in rank order (equal counts); backward: the sum over processes of
    the gradient of the gathered rows, this process's rows of it."""

    @staticmethod
    def forward(ctx: Any, rows: torch.Tensor) -> torch.Tensor:
        parts = [torch.empty_like(rows) for _ in range(dist.get_world_size())]
        dist.all_gather(parts, rows.contiguous())
        ctx.rows = slice(dist.get_rank() * len(rows), (dist.get_rank() + 1) * len(rows))
        return torch.cat(parts)

    @staticmethod
    def backward(ctx: Any, gradient: torch.Tensor) -> torch.Tensor:
        summed = gradient.contiguous().clone()
        dist.all_reduce(summed)
        return summed[ctx.rows]


def several_processes() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def gather_rows(value: Any) -> Any:
    """A tensor's rows from every process; a list or tuple of tensors, each so; anything else as it is."""
    if isinstance(value, torch.Tensor):
        return _GatherRows.apply(value)
    if isinstance(value, (list, tuple)) and value and all(isinstance(item, torch.Tensor) for item in value):
        return type(value)(map(gather_rows, value))
    return value


def over_all_processes(function: F) -> F:
    """``function`` of the global batch: in a run of several processes its tensor arguments (and
    lists of them) are gathered from every process, with gradients flowing back to each."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> torch.Tensor:
        if not several_processes():
            return function(*args, **kwargs)
        return function(*map(gather_rows, args), **{key: gather_rows(value) for key, value in kwargs.items()})

    return wrapper  # type: ignore[return-value]
