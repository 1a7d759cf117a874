"""The methods' tests train on tiny tensors, where intra-op threads cost more than they save."""

from pathlib import Path

import pytest
import torch

from transferbench.data import build_task
from transferbench.methods import build_method
from transferbench.models import build_model


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def fitted_on_moons(make_config, *overrides: str):
    """``(cfg, task, method)``: the method the overrides name, built on the moons with torch's seed
    0 and fitted (``before_fit``), as the engine does before a non-gradient method's evaluation."""
    cfg = make_config(*overrides)
    torch.manual_seed(0)
    task = build_task(cfg.dataset, root=Path(), download=False)
    method = build_method(cfg.method, build_model(cfg.backbone, task.input_shape, task.num_classes))
    method.before_fit(task)
    return cfg, task, method
