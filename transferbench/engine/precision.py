"""Mixed-precision training (``trainer.precision``): fp32, bf16 autocast, or fp16 autocast with a
gradient scaler (Micikevicius et al., "Mixed Precision Training", ICLR 2018).

The forward pass and the losses run under ``torch.autocast``; weights, optimizer state and the
backward's accumulation stay fp32, and the losses whose math needs it compute in fp32
(``losses/precision.py``). fp16's narrow range needs the loss scaled before backward and the
gradients unscaled before the step, skipping steps whose gradients overflowed; bf16 has fp32's
range and needs no scaler. Evaluation runs in fp32.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import torch

from transferbench.errors import UserError

DTYPES = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}


class Precision:
    """How one run computes its training steps: ``name`` is one of ``DTYPES``."""

    def __init__(self, name: str, device: torch.device) -> None:
        if name not in DTYPES:
            raise UserError(f"trainer.precision={name!r} is not one of: {', '.join(DTYPES)}")
        self.name, self.dtype, self.device_type = name, DTYPES[name], device.type
        self.scaler = torch.amp.GradScaler(device.type) if name == "fp16" else None

    def autocast(self) -> AbstractContextManager:
        """Autocast to the run's half type; a no-op context for fp32."""
        return torch.autocast(self.device_type, dtype=self.dtype, enabled=self.dtype is not None)

    def backward(self, loss: torch.Tensor) -> None:
        (loss if self.scaler is None else self.scaler.scale(loss)).backward()

    def step(self, optimizer: torch.optim.Optimizer) -> None:
        """The optimizer's step; with a scaler, on unscaled gradients, skipped when they overflowed."""
        if self.scaler is None:
            optimizer.step()
            return
        self.scaler.step(optimizer)
        self.scaler.update()

    def state_dict(self) -> dict[str, Any] | None:
        return None if self.scaler is None else self.scaler.state_dict()

    def load_state_dict(self, state: dict[str, Any] | None) -> None:
        if self.scaler is not None and state:
            self.scaler.load_state_dict(state)
