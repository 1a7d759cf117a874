"""Seeds and random-number-generator state, so runs repeat and resumed runs continue exactly;
and the device and CPU threads a run uses."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch

from transferbench.errors import UserError


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def rng_state() -> dict[str, Any]:
    """The torch generators' state (CPU and every CUDA device)."""
    state: dict[str, Any] = {"cpu": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["cpu"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def resolve_device(name: str) -> torch.device:
    """``auto`` picks CUDA when available, else the CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def limit_cpu_threads(threads: int | None) -> None:
    """Cap torch's intra-op CPU threads (``None`` keeps torch's default of one per core).

    Several runs sharing a machine (``hydra/launcher=joblib``) run fastest with one or two each.
    """
    if threads is None:
        return
    if not isinstance(threads, int) or isinstance(threads, bool) or threads < 1:
        raise UserError(f"trainer.threads must be a positive integer or null, got {threads!r}")
    torch.set_num_threads(threads)
