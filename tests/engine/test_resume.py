"""A run killed with SIGKILL and started again ends with the numbers of an uninterrupted run."""

import json
import signal
import subprocess
import sys
import time

from tests.conftest import REPO_ROOT

ARGS = [
    "method=dann", "dataset=moons", "seed=4", "trainer.iterations=1500", "trainer.eval_every=250",
    "trainer.checkpoint_every=100", "trainer.progress=false", "trainer.device=cpu",
]


def start(run_dir, *overrides):
    return subprocess.Popen(
        [sys.executable, "-m", "transferbench", *ARGS, *overrides, f"hydra.run.dir={run_dir}"],
        cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )


def test_killed_run_resumes_to_the_same_result(tmp_path):
    reference = start(tmp_path / "reference")
    interrupted = start(tmp_path / "interrupted")
    checkpoint = tmp_path / "interrupted" / "checkpoint.pt"
    deadline = time.monotonic() + 240
    while not checkpoint.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    interrupted.send_signal(signal.SIGKILL)
    interrupted.wait()
    assert not (tmp_path / "interrupted" / "results.json").exists(), "run finished before it was killed"

    resumed = start(tmp_path / "interrupted")
    assert resumed.wait(timeout=300) == 0, resumed.stderr.read()
    assert reference.wait(timeout=300) == 0, reference.stderr.read()

    expected = json.loads((tmp_path / "reference" / "results.json").read_text())
    actual = json.loads((tmp_path / "interrupted" / "results.json").read_text())
    assert actual["target_acc"] == expected["target_acc"]
    assert actual["history"] == expected["history"]


def test_finished_run_is_skipped_when_started_again(tmp_path):
    short = ["trainer.iterations=200"]
    first = start(tmp_path, *short)
    assert first.wait(timeout=300) == 0
    before = (tmp_path / "results.json").read_text()
    again = subprocess.run(
        [sys.executable, "-m", "transferbench", *ARGS, *short, f"hydra.run.dir={tmp_path}"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )
    assert again.returncode == 0
    assert "already finished" in again.stderr
    assert (tmp_path / "results.json").read_text() == before
