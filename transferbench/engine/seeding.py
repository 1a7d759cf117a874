"""Seeds and random-number-generator state, so runs repeat and resumed runs continue exactly;
and the device and CPU threads a run uses."""

from __future__ import annotations

import logging
import os
import random
from typing import Any, Sequence

import numpy as np
import torch
from torch import nn

from transferbench.errors import UserError

log = logging.getLogger(__name__)

AUTO = "auto"
# The ``auto`` rule: one CPU thread per this many FLOPs of a training step (forward + backward of
# the batch), from 1 up to the cores this process may use. The moons MLP's step is ~0.5 MFLOP (1
# thread); a digits LeNet step at 128 + 128 images is ~4 GFLOP (every core of a small machine).
FLOPS_PER_THREAD = 1e9
# torch's own default, read before anything changes it: one thread per core, or $OMP_NUM_THREADS.
TORCH_DEFAULT_THREADS = torch.get_num_threads()
_last_setting: dict[str, Any] = {}


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def process_seed(seed: int, rank: int) -> int:
    """The seed of process ``rank``'s own random draws (augmentation, dropout) in a run of
    several processes, independent of every other process's and every other run's."""
    return int(np.random.SeedSequence([seed, rank]).generate_state(1)[0])


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


def limit_cpu_threads(
    threads: int | str | None, model: nn.Module | None = None, batch_shape: Sequence[int] | None = None,
) -> int:
    """Set torch's intra-op CPU threads from ``trainer.threads``; returns the count now in effect.

    * a positive integer: that many, whatever the environment says;
    * ``null``: torch's default, one per core (or ``$OMP_NUM_THREADS``);
    * ``auto``: ``$OMP_NUM_THREADS`` when the user set it; otherwise :func:`auto_threads` of the
      training step of ``model`` on a batch of ``batch_shape`` (``(samples, *input_shape)``), and
      1 thread when no model is given.

    Small models lose more to threads waiting for each other than they gain, worst when other
    processes keep the cores busy (issue 11: the moons default took 265 s instead of 32 s), so
    ``auto`` gives them one thread. It logs one line with the count; :func:`cpu_threads_info` is
    the record for ``results.json``.
    """
    setting = check_threads(threads)
    if setting == AUTO:
        if "OMP_NUM_THREADS" in os.environ:
            count, why = TORCH_DEFAULT_THREADS, "$OMP_NUM_THREADS"
        elif model is None or batch_shape is None:
            count, why = 1, "no model given"
        else:
            flops = step_flops(model, batch_shape)
            count, why = auto_threads(flops), f"{_flops_text(flops)} per step"
    elif setting is None:
        count, why = TORCH_DEFAULT_THREADS, "torch's default"
    else:
        count, why = setting, "as set"
    torch.set_num_threads(count)
    _last_setting.clear()
    _last_setting.update(setting=setting, rule=why)
    policy = os.environ.get("OMP_WAIT_POLICY", "unset")
    log.info("CPU threads: %d (trainer.threads=%s: %s; OMP_WAIT_POLICY=%s)", count, setting, why, policy)
    return count


def check_threads(threads: Any) -> int | str | None:
    """``trainer.threads`` as a positive int, ``"auto"`` or None; anything else is a UserError."""
    if isinstance(threads, str):
        text = threads.strip().lower()
        if text == AUTO:
            return AUTO
        if text.isdigit() and int(text) >= 1:
            return int(text)
    elif threads is None or (isinstance(threads, int) and not isinstance(threads, bool) and threads >= 1):
        return threads
    raise UserError(f"trainer.threads must be a positive integer, null or auto, got {threads!r}")


def auto_threads(flops_per_step: float, cores: int | None = None) -> int:
    """The ``auto`` rule: one thread per :data:`FLOPS_PER_THREAD` of a training step, 1 to ``cores``
    (default: the cores this process may run on)."""
    cores = available_cores() if cores is None else cores
    return max(1, min(cores, int(flops_per_step // FLOPS_PER_THREAD)))


def step_flops(model: nn.Module, batch_shape: Sequence[int]) -> float:
    """FLOPs of one training step of ``model`` on a batch of ``batch_shape``: three times the
    forward pass (forward + backward), counted by torch's FlopCounterMode on one zero sample in
    eval mode (the model's mode, weights and the RNG are left as they were)."""
    from torch.utils.flop_counter import FlopCounterMode

    samples, *shape = batch_shape
    parameter = next(model.parameters(), None)
    probe = torch.zeros(1, *shape) if parameter is None else parameter.new_zeros(1, *shape)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad(), torch.random.fork_rng(devices=[]), FlopCounterMode(display=False) as counter:
            model(probe)
    finally:
        model.train(was_training)
    return 3.0 * counter.get_total_flops() * samples


def _flops_text(flops: float) -> str:
    return f"{flops / 1e9:.3g} GFLOP" if flops >= 1e9 else f"{flops / 1e6:.3g} MFLOP"


def available_cores() -> int:
    """The CPU cores this process may run on (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def cpu_threads_info() -> dict[str, Any]:
    """What a run's CPU threading was, for ``results.json``: the torch intra-op thread count in
    effect, the ``trainer.threads`` setting and the rule that chose it (as last applied by
    :func:`limit_cpu_threads`), and the OpenMP environment."""
    return {
        "threads": torch.get_num_threads(),
        "setting": _last_setting.get("setting"),
        "rule": _last_setting.get("rule"),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "cores": available_cores(),
    }
