"""Data-parallel runs on the CPU (gloo): two processes train what one process trains on the same
global batch, resume a killed run, and refuse what they cannot do in one line. The tests that
start processes (about 2 min) are marked ``distributed``: ``python -m pytest -m distributed``."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import torch
from torch import nn

from tests.conftest import QUIET, REPO_ROOT
from transferbench.config import compose_config
from transferbench.engine.distributed import World
from transferbench.engine.seeding import available_cores
from transferbench.errors import UserError
from transferbench.experiment import run
from transferbench.launch import cores_shared_by

# DANN on the moons without the discriminator's dropout (CDAN's too): no random draw inside a
# step, so the processes' own generators cannot make the runs differ.
ARGS = [
    "method=dann", "dataset=moons", "seed=3", "trainer.iterations=600", "trainer.eval_every=200",
    "trainer.checkpoint_every=50", "dataset.protocol.discriminator.dropout=0", *QUIET,
]
TWO = {
    "processes": [sys.executable, "-m", "transferbench", *ARGS, "trainer.processes=2"],
    "torchrun": [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", "-m", "transferbench", *ARGS],
}
ENV = os.environ | {"OMP_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def one_process(tmp_path_factory):
    """The run of one process: its folder."""
    folder = tmp_path_factory.mktemp("one") / "run"
    run(compose_config(*ARGS), folder)
    return folder


def start(command, run_dir, *overrides):
    return subprocess.Popen(
        [*command, *overrides, f"hydra.run.dir={run_dir}"], cwd=REPO_ROOT, env=ENV,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )


def assert_same_training(actual_dir, expected_dir):
    """Every evaluation's accuracies and losses, and the final weights, to float tolerance."""
    actual = json.loads((actual_dir / "results.json").read_text())
    expected = json.loads((expected_dir / "results.json").read_text())
    assert actual["processes"] == 2 and expected["processes"] == 1
    for mine, theirs in zip(actual["history"], expected["history"], strict=True):
        assert mine["target_acc"] == theirs["target_acc"] and mine["source_acc"] == theirs["source_acc"]
        assert mine["losses"] == pytest.approx(theirs["losses"], rel=1e-5)
    weights = torch.load(actual_dir / "checkpoint.pt", weights_only=False)["method"]
    reference = torch.load(expected_dir / "checkpoint.pt", weights_only=False)["method"]
    for name, tensor in reference.items():
        torch.testing.assert_close(weights[name], tensor, atol=1e-5, rtol=1e-4)


@pytest.mark.distributed
@pytest.mark.parametrize("method", ["dan", "jan", "coral", "cdan_e"])
def test_losses_over_the_whole_batch_see_every_process_rows(tmp_path, method):
    """MK-MMD, JMMD, CORAL and CDAN+E's entropy-weighted mean, each computed by two processes on
    the global batch they gather, train what one process trains."""
    chosen = [f"method={method}", "trainer.iterations=300"]
    run(compose_config(*ARGS, *chosen), tmp_path / "one")
    two = start(TWO["processes"], tmp_path / "two", *chosen)
    assert two.wait(timeout=300) == 0, two.stderr.read()
    assert_same_training(tmp_path / "two", tmp_path / "one")


@pytest.mark.distributed
@pytest.mark.parametrize("launcher", TWO)
def test_two_processes_train_what_one_trains_on_the_same_global_batch(tmp_path, one_process, launcher):
    two = start(TWO[launcher], tmp_path)
    assert two.wait(timeout=300) == 0, two.stderr.read()
    assert_same_training(tmp_path, one_process)
    assert sorted(path.name for path in tmp_path.iterdir()) == [".hydra", ".lock", "checkpoint.pt", "results.json", "train.log"]


@pytest.mark.distributed
def test_killed_two_process_run_resumes_to_the_same_training(tmp_path, one_process):
    interrupted = start(TWO["processes"], tmp_path)
    deadline = time.monotonic() + 240
    while not (tmp_path / "checkpoint.pt").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(interrupted.pid, signal.SIGKILL)
    interrupted.wait()
    assert not (tmp_path / "results.json").exists(), "run finished before it was killed"
    assert torch.load(tmp_path / "checkpoint.pt", weights_only=False)["fit_state"]["iteration"] < 600

    resumed = start(TWO["processes"], tmp_path)
    assert resumed.wait(timeout=300) == 0, resumed.stderr.read()
    assert_same_training(tmp_path, one_process)


@pytest.mark.distributed
def test_a_checkpoint_resumes_only_with_its_process_count(tmp_path, one_process):
    for name in ("checkpoint.pt", "results.json"):
        (tmp_path / name).write_bytes((one_process / name).read_bytes())
    (tmp_path / "results.json").unlink()
    two = start(TWO["processes"], tmp_path)
    assert two.wait(timeout=300) == 1
    error = two.stderr.read()
    assert "was written by a run of 1 process(es); resume it with trainer.processes=1 (or torchrun" in error
    assert "Traceback" not in error


@pytest.mark.distributed
def test_a_batch_that_does_not_split_is_one_line_from_the_first_process(tmp_path):
    two = start(TWO["processes"], tmp_path, "trainer.batch_size=33")
    assert two.wait(timeout=300) == 1
    lines = [line for line in two.stderr.read().splitlines() if line.startswith("error:")]
    assert lines[0] == (
        "error: a training batch of 33 rows does not split evenly over 2 processes; "
        "set trainer.batch_size to a multiple of 2"
    )
    assert len(lines) == 2 and lines[1].startswith("error: the run's 2 processes stopped with the error above")


@pytest.mark.distributed
def test_a_sweep_under_torchrun_is_refused_before_any_folder_is_made(tmp_path):
    sweep = subprocess.run(
        [*TWO["torchrun"], "-m", "seed=0,1", f"hydra.sweep.dir={tmp_path / 'sweep'}"],
        cwd=REPO_ROOT, env=ENV, capture_output=True, text=True, timeout=300,
    )
    assert sweep.returncode != 0
    assert "error: torchrun trains one run over several processes, not a sweep (-m)" in sweep.stderr
    assert not (tmp_path / "sweep").exists()


def test_one_process_is_the_identity():
    world, module = World(), nn.Linear(2, 2)
    batch = torch.arange(6)
    assert world.rows(batch) is batch and world.replicated(module, torch.device("cpu")) is module
    assert world.mean({"loss": 1.5}) == {"loss": 1.5} and world.gather(3) == [3] and world.from_main(4) == 4


def test_each_process_takes_its_equal_share_of_a_global_batch():
    batch = torch.arange(8)
    assert [World(rank, 2).rows(batch).tolist() for rank in (0, 1)] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    with pytest.raises(UserError, match="does not split evenly over 3 processes"):
        World(1, 3).rows(batch)


@pytest.mark.distributed
def test_runs_of_two_processes_sweep_side_by_side_in_joblib_workers_and_are_skipped_when_done(tmp_path):
    def sweep():
        return subprocess.run(
            [sys.executable, "-m", "transferbench", "-m", "method=dann", "dataset=moons", "seed=0,1", *QUIET,
             "trainer.iterations=100", "trainer.eval_every=100", "trainer.processes=2",
             "hydra/launcher=joblib", "hydra.launcher.n_jobs=2", f"hydra.sweep.dir={tmp_path}"],
            cwd=REPO_ROOT, env=ENV, capture_output=True, text=True, timeout=300,
        )

    swept = sweep()
    assert swept.returncode == 0, swept.stderr[-2000:]
    results = [json.loads(path.read_text()) for path in tmp_path.glob("*/results.json")]
    assert sorted((r["seed"], r["status"], r["processes"]) for r in results) == [(0, "completed", 2), (1, "completed", 2)]
    before = {path: path.read_text() for path in tmp_path.glob("*/results.json")}
    again = sweep()
    assert again.returncode == 0 and again.stderr.count("already finished") == 2
    assert {path: path.read_text() for path in tmp_path.glob("*/results.json")} == before


def test_several_processes_need_a_gpu_each():
    with pytest.raises(UserError, match="trainer.device=cuda:0 would put every process on one GPU"):
        World(0, 2).device(torch.device("cuda", 0))
    if torch.cuda.device_count() < 2:
        with pytest.raises(UserError, match=f"process 1 needs GPU 1, but this machine has {torch.cuda.device_count()}"):
            World(1, 2, local_rank=1).device(torch.device("cuda"))
    assert World(1, 2).device(torch.device("cpu")) == torch.device("cpu")


def test_started_processes_split_the_cores_unless_the_user_chose(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    with cores_shared_by(2):
        assert os.environ["OMP_NUM_THREADS"] == str(max(1, available_cores() // 2))
    assert "OMP_NUM_THREADS" not in os.environ
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    with cores_shared_by(2):
        assert os.environ["OMP_NUM_THREADS"] == "3"
