"""Float32 islands inside mixed-precision training (``trainer.precision=bf16|fp16``).

Autocast runs matrix products in half precision. Kernel Gram matrices (‖x‖² + ‖y‖² − 2⟨x, y⟩
cancels catastrophically in bf16's 8-bit mantissa), covariances and entropies lose the precision
their papers' math assumes, so the functions that compute them run with autocast off and their
floating inputs cast to float32 (Micikevicius et al., "Mixed Precision Training", ICLR 2018, §3.3:
reductions in fp32).
"""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

import torch

F = TypeVar("F", bound=Callable[..., torch.Tensor])
HALF_TYPES = (torch.float16, torch.bfloat16)


def in_float32(function: F) -> F:
    """``function`` outside autocast, its half-precision tensor arguments cast to float32 (float32
    and float64 ones pass unchanged)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> torch.Tensor:
        tensors = [value for value in (*args, *kwargs.values()) if isinstance(value, torch.Tensor)]
        device = tensors[0].device.type if tensors else "cpu"
        with torch.autocast(device, enabled=False):
            return function(*map(_float32, args), **{key: _float32(value) for key, value in kwargs.items()})

    return wrapper  # type: ignore[return-value]


def _float32(value: Any) -> Any:
    if isinstance(value, torch.Tensor) and value.dtype in HALF_TYPES:
        return value.float()
    return value
