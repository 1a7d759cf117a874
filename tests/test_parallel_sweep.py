"""Sweeps through Hydra's joblib launcher (several runs at once) give the sequential numbers,
and failing runs are recorded without stopping the others."""

import json

from tests.conftest import REPO_ROOT, run_cli

# Two methods that train, each also with an invalid learning rate that fails at start-up.
SWEEP = [
    "-m", "method=source_only,dann", "optimizer.lr=0.01,-1", "trainer.iterations=60",
    "trainer.eval_every=30", "trainer.progress=false",
]
PARALLEL = ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2", "trainer.threads=1"]


def outcomes(sweep_dir):
    """Per run folder: its status and, for finished runs, the evaluation history."""
    return {
        path.parent.name: (results["status"], results.get("history"))
        for path in sorted(sweep_dir.glob("*/results.json"))
        for results in [json.loads(path.read_text())]
    }


def test_parallel_sweep_matches_sequential_sweep_and_records_failures(tmp_path):
    sequential = run_cli(*SWEEP, f"hydra.sweep.dir={tmp_path / 'sequential'}", cwd=REPO_ROOT)
    parallel = run_cli(*SWEEP, *PARALLEL, f"hydra.sweep.dir={tmp_path / 'parallel'}", cwd=REPO_ROOT)

    for result in (sequential, parallel):
        assert result.returncode == 1, result.stderr[-2000:]
        assert "2 run(s) failed" in result.stderr
    expected = outcomes(tmp_path / "sequential")
    assert sorted(status for status, _ in expected.values()) == ["completed"] * 2 + ["failed"] * 2
    assert outcomes(tmp_path / "parallel") == expected
