"""scripts/bench_sweep.py times a sweep at several concurrency levels and checks the numbers agree."""

import json
import subprocess
import sys

from tests.conftest import REPO_ROOT


def test_bench_sweep_reports_each_level_and_equal_accuracies(tmp_path):
    out = tmp_path / "sweep.json"
    completed = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "bench_sweep.py"), "--jobs", "1", "2", "--out", str(out),
         "method=source_only", "seed=0,1", "trainer.iterations=20", "trainer.eval_every=20"],
        capture_output=True, text=True, timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    report = json.loads(out.read_text())
    assert [level["jobs"] for level in report["levels"]] == [1, 2]
    assert all(level["runs"] == 2 and level["wall_s"] > 0 for level in report["levels"])
    assert report["same_accuracies"] is True
    assert "runs per hour" in completed.stdout


def test_bench_sweep_reports_a_failing_sweep(tmp_path):
    completed = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "bench_sweep.py"), "--jobs", "1", "--",
         "method=source_only", "optimizer.lr=-1", "trainer.iterations=20"],
        capture_output=True, text=True, timeout=600,
    )
    assert completed.returncode == 1
    assert "the sweep failed" in completed.stderr
