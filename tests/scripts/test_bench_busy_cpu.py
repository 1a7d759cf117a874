"""Smoke tests of scripts/bench_busy_cpu.py: the report's shape and that the load it starts is
always stopped. No timing assertions."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.scripts import load_script


@pytest.fixture(scope="module")
def bench():
    return load_script("bench_busy_cpu")


def running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting to be reaped does not count)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def busy_children() -> list[int]:
    """Busy loops started by this process that are still running."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == os.getpid() and b"getppid() == parent" in command and running(int(entry.name)):
            found.append(int(entry.name))
    return found


pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


def test_bench_reports_idle_and_loaded_runs_and_stops_the_load(bench, tmp_path, capsys):
    out = tmp_path / "busy.json"
    assert bench.main(["--load", "1", "--out", str(out), "trainer.iterations=20"]) == 0
    report = json.loads(out.read_text())
    assert report["command"] == ["python", "-m", "transferbench", "trainer.iterations=20"]
    assert (report["load_processes"], report["repeats"], report["cpu_cores"]) == (1, 1, os.cpu_count())
    assert [(run["condition"], run["repeat"]) for run in report["runs"]] == [("idle", 0), ("loaded", 0)]
    for run in report["runs"]:
        assert set(run) == {
            "condition", "repeat", "wall_s", "cpu_s", "train_time_s", "target_acc", "threads",
            "load_average_before", "load_average_after",
        }
        assert run["wall_s"] > 0 and len(run["load_average_before"]) == 3
        assert run["threads"] == 1  # the moons default under trainer.threads=auto, read from the run's log
    idle, loaded = (run["wall_s"] for run in report["runs"])
    assert (report["idle_median_s"], report["loaded_median_s"]) == (idle, loaded)
    assert report["ratio"] == pytest.approx(loaded / idle, abs=0.01)
    assert report["within_goal"] == (report["ratio"] <= report["goal"] == 3.0)
    assert report["same_accuracy"] is True
    assert len(report["load_pids"]) == 1
    assert not any(running(pid) for pid in report["load_pids"])
    assert busy_children() == []
    output = capsys.readouterr().out
    assert "idle 1" in output and "loaded 1" in output and "loaded / idle" in output


@pytest.mark.parametrize("error", ["failed run", "interrupt"])
def test_the_load_is_stopped_when_the_loaded_run_fails(bench, monkeypatch, error):
    started = []

    def fake_run(overrides, env, run_dir, timeout):
        if "loaded" in run_dir.name:
            started.extend(busy_children())
            raise bench.RunFailed("boom") if error == "failed run" else KeyboardInterrupt
        return {"wall_s": 1.0, "train_time_s": 0.5, "target_acc": 50.0, "threads": 1,
                "load_average_before": [0, 0, 0], "load_average_after": [0, 0, 0]}

    monkeypatch.setattr(bench, "time_run", fake_run)
    if error == "failed run":
        assert bench.main(["--load", "2"]) == 1
    else:
        with pytest.raises(KeyboardInterrupt):
            bench.main(["--load", "2"])
    assert len(started) == 2
    assert not any(running(pid) for pid in started)
    assert busy_children() == []


def test_a_busy_loop_ends_when_the_benchmark_is_killed():
    """A benchmark killed without clean-up (SIGKILL) leaves no load behind."""
    code = (
        f"import os, sys; sys.path.insert(0, {str(REPO_ROOT / 'scripts')!r}); import bench_busy_cpu; "
        "pids = bench_busy_cpu.busy_loops(1).__enter__(); print(pids[0], flush=True); os._exit(0)"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    pid = int(completed.stdout.split()[0])
    deadline = time.monotonic() + 20
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not running(pid)


@pytest.mark.parametrize("arguments", [["--load", "0"], ["--repeats", "0"], ["--env", "NOVALUE"]])
def test_bad_arguments_are_refused_in_one_line(bench, capsys, arguments):
    assert bench.main(arguments) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and error.count("\n") == 1
