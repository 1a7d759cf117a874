"""Every registered method through the engine: hooks, prediction, checkpoints and resuming."""

import pytest

from tests.conftest import Killed, student_overrides
from transferbench.experiment import run
from transferbench.methods import METHODS

SHORT = ["trainer.iterations=20", "trainer.eval_every=10", "trainer.batch_size=16"]


@pytest.mark.parametrize("method", METHODS.names())
def test_a_killed_and_resumed_run_equals_an_uninterrupted_one(
    method, make_config, tmp_path, kill_after_checkpoint, moons_runs
):
    cfg = make_config(f"method={method}", *SHORT, *student_overrides(method, moons_runs["source_only"]))
    whole = run(cfg, tmp_path / "whole")
    kill_after_checkpoint(1)
    with pytest.raises(Killed):
        run(cfg, tmp_path / "killed")
    assert (tmp_path / "killed" / "checkpoint.pt").is_file()
    assert not (tmp_path / "killed" / "results.json").exists()
    resumed = run(cfg, tmp_path / "killed")
    assert resumed["status"] == whole["status"] == "completed"
    assert resumed["history"] == whole["history"]
    assert len(whole["history"]) == (2 if METHODS.get(method).trains_by_gradient else 1)
