"""A moons sweep submitted to a real SLURM cluster through Hydra's submitit launcher
(``hydra/launcher=slurm``): ``python -m pytest -m slurm``. Uses the cluster ``sinfo`` reaches, or
starts a single-node one on this machine (scripts/cluster/local_slurm.sh, root and apt needed)
and stops it afterwards."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT
from tests.scripts import load_script

pytestmark = pytest.mark.slurm
LOCAL_SLURM = REPO_ROOT / "scripts" / "cluster" / "local_slurm.sh"
SMALL_JOBS = ["hydra.launcher.gpus_per_node=0", "hydra.launcher.cpus_per_task=1", "hydra.launcher.mem_gb=1",
              "hydra.launcher.timeout_min=10"]


def cluster_reachable() -> bool:
    try:
        return subprocess.run(["sinfo", "-h"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(scope="module")
def slurm():
    """A reachable SLURM: the user's, or a local single-node one started here and stopped after."""
    if cluster_reachable():
        yield
        return
    started = subprocess.run([str(LOCAL_SLURM), "start"], capture_output=True, text=True, timeout=900)
    assert started.returncode == 0, started.stdout + started.stderr
    conf = subprocess.run([str(LOCAL_SLURM), "env"], capture_output=True, text=True, check=True).stdout
    previous = os.environ.get("SLURM_CONF")
    os.environ["SLURM_CONF"] = conf.strip().split("=", 1)[1]
    try:
        yield
    finally:
        subprocess.run([str(LOCAL_SLURM), "stop"], timeout=60)
        if previous is None:
            os.environ.pop("SLURM_CONF", None)
        else:
            os.environ["SLURM_CONF"] = previous


GRID = ("method=source_only,dann", "seed=0,1")


def sweep(folder, *overrides, grid=GRID):
    return subprocess.run(
        [sys.executable, "-m", "transferbench", "-m", *grid, "trainer.iterations=20",
         "trainer.progress=false", "hydra/launcher=slurm", *SMALL_JOBS, f"hydra.sweep.dir={folder}", *overrides],
        capture_output=True, text=True, timeout=600, cwd=folder.parent,
    )


def test_a_sweep_runs_as_a_slurm_job_array_and_makes_its_table(slurm, tmp_path, capsys):
    folder = tmp_path / "sweep"
    first = sweep(folder)
    assert first.returncode == 0, first.stderr[-2000:]
    results = [json.loads(path.read_text()) for path in folder.glob("*/results.json")]
    assert sorted((r["method"], r["seed"], r["status"]) for r in results) == [
        ("dann", 0, "completed"), ("dann", 1, "completed"), ("source_only", 0, "completed"), ("source_only", 1, "completed"),
    ]
    assert any(folder.glob(".submitit/*/*_log.out")), "SLURM's logs of each job go under .submitit/"
    assert load_script("make_table").main([str(folder), "--no-references"]) == 0
    table = capsys.readouterr().out
    assert "| source_only |" in table and "| dann |" in table and "(n=2)" in table

    mtimes = {path: path.stat().st_mtime for path in folder.glob("*/results.json")}
    again = sweep(folder)
    assert again.returncode == 0, again.stderr[-2000:]
    assert {path: path.stat().st_mtime for path in folder.glob("*/results.json")} == mtimes


def test_a_failed_job_is_listed_and_fails_the_sweep(slurm, tmp_path):
    failed = sweep(tmp_path / "sweep", "optimizer.lr=-1")
    assert failed.returncode == 1
    assert "4 run(s) failed" in failed.stderr


def test_a_run_of_two_processes_trains_in_one_slurm_job(slurm, tmp_path):
    folder = tmp_path / "sweep"
    done = sweep(folder, "trainer.processes=2", "hydra.launcher.cpus_per_task=2", grid=("method=dann", "seed=0,1"))
    assert done.returncode == 0, done.stderr[-2000:]
    results = [json.loads(path.read_text()) for path in folder.glob("*/results.json")]
    assert sorted((r["seed"], r["status"], r["processes"]) for r in results) == [(0, "completed", 2), (1, "completed", 2)]
