"""The CPU threading default (issue 11, "A busy CPU"): ``trainer.threads: auto`` gives small models
one thread, an explicit value or ``$OMP_NUM_THREADS`` wins, and OpenMP threads wait passively.
Nothing here times anything; the measurements are in docs/benchmarks.md."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest
import torch

from tests.conftest import REPO_ROOT
from transferbench.engine import seeding
from transferbench.engine.seeding import (
    FLOPS_PER_THREAD, auto_threads, check_threads, cpu_threads_info, limit_cpu_threads, step_flops,
)
from transferbench.errors import UserError
from transferbench.models import build_model


@pytest.fixture(autouse=True)
def keep_torch_threads(monkeypatch):
    """Each test starts without $OMP_NUM_THREADS and leaves torch's thread count as it found it."""
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


def task_model(make_config, *overrides):
    """The configured task's network and one training step's batch shape (source + target rows)."""
    cfg = make_config(*overrides)
    shape = (2,) if cfg.dataset.name == "moons" else (cfg.dataset.channels, cfg.dataset.image_size, cfg.dataset.image_size)
    model = build_model(cfg.backbone, shape, cfg.dataset.num_classes)
    return model, (2 * cfg.trainer.batch_size, *shape)


def test_the_default_is_auto(make_config):
    assert make_config().trainer.threads == "auto"


def test_auto_gives_the_moons_mlp_one_thread(make_config, monkeypatch):
    monkeypatch.setattr(seeding, "available_cores", lambda: 16)
    model, batch = task_model(make_config)
    assert batch == (64, 2)
    assert limit_cpu_threads("auto", model, batch) == 1
    assert torch.get_num_threads() == 1


def test_auto_gives_the_digits_lenet_the_cores_of_a_small_machine(make_config):
    model, batch = task_model(make_config, "dataset=mnist_usps")
    flops = step_flops(model, batch)
    assert 2e9 < flops < 1e10  # LeNet + 256-d bottleneck, 256 images: about 3.7 GFLOP
    assert auto_threads(flops, cores=2) == 2
    assert auto_threads(flops, cores=16) == int(flops // FLOPS_PER_THREAD) < 16


def test_auto_rule_is_one_thread_per_gigaflop_between_one_and_the_cores():
    assert auto_threads(0, cores=8) == 1
    assert auto_threads(FLOPS_PER_THREAD * 0.99, cores=8) == 1
    assert auto_threads(FLOPS_PER_THREAD * 3.5, cores=8) == 3
    assert auto_threads(FLOPS_PER_THREAD * 100, cores=8) == 8
    assert auto_threads(FLOPS_PER_THREAD * 100, cores=1) == 1


def test_auto_without_a_model_is_one_thread():
    assert limit_cpu_threads("auto") == 1
    assert torch.get_num_threads() == 1


def test_auto_respects_omp_num_threads_the_user_set(make_config, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    monkeypatch.setattr(seeding, "TORCH_DEFAULT_THREADS", 2)  # what torch read from it at start-up
    model, batch = task_model(make_config)
    assert limit_cpu_threads("auto", model, batch) == 2
    assert torch.get_num_threads() == 2


@pytest.mark.parametrize("value", [1, 2, 3, "2", " 3 "])
def test_an_explicit_count_wins_over_the_rule_and_the_environment(make_config, monkeypatch, value):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    model, batch = task_model(make_config)
    assert limit_cpu_threads(value, model, batch) == int(value)
    assert torch.get_num_threads() == int(value)


def test_null_is_torch_default(monkeypatch):
    monkeypatch.setattr(seeding, "TORCH_DEFAULT_THREADS", 2)
    torch.set_num_threads(1)
    assert limit_cpu_threads(None) == 2
    assert torch.get_num_threads() == 2


@pytest.mark.parametrize("value", [0, -1, 1.5, True, False, "", "0", "-2", "many", "auto,2", [2], {"n": 2}])
def test_invalid_values_are_one_line_user_errors(value):
    with pytest.raises(UserError) as raised:
        limit_cpu_threads(value)
    message = str(raised.value)
    assert message.startswith("trainer.threads must be a positive integer, null or auto, got ")
    assert "\n" not in message


@pytest.mark.parametrize(("value", "setting"), [(None, None), ("auto", "auto"), ("AUTO", "auto"), (4, 4), ("4", 4)])
def test_check_threads_normalises(value, setting):
    assert check_threads(value) == setting


def test_step_flops_leaves_the_model_and_the_rng_alone(make_config):
    model, batch = task_model(make_config, "dataset=mnist_usps")
    model.train()
    weights = {name: value.clone() for name, value in model.state_dict().items()}
    rng = torch.get_rng_state()
    step_flops(model, batch)
    assert model.training
    assert torch.equal(torch.get_rng_state(), rng)
    assert all(torch.equal(value, weights[name]) for name, value in model.state_dict().items())


def test_the_effective_count_is_logged_and_recorded(make_config, caplog):
    model, batch = task_model(make_config)
    with caplog.at_level(logging.INFO, logger="transferbench.engine.seeding"):
        limit_cpu_threads("auto", model, batch)
    assert len(caplog.records) == 1
    assert caplog.records[0].getMessage().startswith("CPU threads: 1 (trainer.threads=auto: ")
    info = cpu_threads_info()
    assert (info["threads"], info["setting"]) == (1, "auto")
    assert info["rule"].endswith("MFLOP per step")
    assert info["omp_wait_policy"] == os.environ.get("OMP_WAIT_POLICY")
    assert set(info) == {"threads", "setting", "rule", "omp_wait_policy", "omp_num_threads", "cores"}


def _wait_policy_after_import(env: dict[str, str], first: str = "") -> str:
    """$OMP_WAIT_POLICY as seen after ``import transferbench`` in a fresh interpreter."""
    code = f"{first}import os, transferbench; print(os.environ.get('OMP_WAIT_POLICY', 'unset'))"
    clean = {key: value for key, value in os.environ.items() if key not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env={**clean, **env}, capture_output=True, text=True, check=True,
    )
    return completed.stdout.strip()


def test_importing_transferbench_makes_openmp_wait_passively():
    assert _wait_policy_after_import({}) == "PASSIVE"


@pytest.mark.parametrize(
    ("env", "expected"),
    [({"OMP_WAIT_POLICY": "ACTIVE"}, "ACTIVE"), ({"OMP_WAIT_POLICY": "passive"}, "passive"), ({"GOMP_SPINCOUNT": "300000"}, "unset")],
)
def test_a_wait_policy_the_user_set_is_kept(env, expected):
    assert _wait_policy_after_import(env) == expected


def test_no_wait_policy_is_claimed_once_torch_is_loaded():
    assert _wait_policy_after_import({}, first="import torch; ") == "unset"
