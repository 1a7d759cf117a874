"""The objective a run returns to an optimising sweeper: a validator, never target accuracy
without the oracle flag; and Hydra's Optuna sweeper searching by it."""

import json
import subprocess
import sys

import pytest
import yaml

from transferbench.analysis.table import build_table
from transferbench.errors import UserError
from transferbench.objective import check_objective, objective_value


def test_target_accuracy_is_refused_as_an_objective_without_the_oracle_flag(make_config):
    with pytest.raises(UserError, match="objective.name=target_acc selects hyper-parameters on the target test labels"):
        check_objective(make_config("objective.name=target_acc"))
    check_objective(make_config("objective.name=target_acc", "objective.oracle=true"))


def test_the_cli_refuses_it_before_training_in_one_line(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "transferbench", "objective.name=oracle_target_acc", "trainer.progress=false",
         f"hydra.run.dir={tmp_path / 'run'}"], capture_output=True, text=True, cwd=tmp_path,
    )
    assert completed.returncode == 1
    assert "objective.name=oracle_target_acc selects hyper-parameters" in completed.stderr
    assert "Traceback" not in completed.stderr and not (tmp_path / "run" / "results.json").exists()


@pytest.mark.parametrize("overrides, message", [
    (["objective.name=dev"], "needs a source validation split, which task moons does not hold out"),
    (["objective.name=snd", "trainer.validators=[im]"], r"not among trainer.validators \(im\)"),
    (["objective.name=acc"], "unknown validator 'acc' \\(objective.name\\)"),
])
def test_an_objective_the_run_cannot_score_is_refused(make_config, overrides, message):
    with pytest.raises(UserError, match=message):
        check_objective(make_config(*overrides))


def test_larger_is_better_for_every_objective():
    results = {"target_acc": 80.0, "validators": {"snd": 2.5, "dev": 0.7}}
    assert objective_value(results, {"name": "snd"}) == 2.5
    assert objective_value(results, {"name": "dev"}) == -0.7
    assert objective_value(results, {"name": "target_acc", "oracle": True}) == 80.0
    assert objective_value({"target_acc": 80.0}, {"name": "snd"}) is None


def test_runs_of_an_oracle_search_are_labelled_so_in_tables():
    def result(oracle):
        config = {"method": {"name": "dann"}, "objective": {"name": "target_acc" if oracle else "snd", "oracle": oracle}}
        return {"method": "dann", "task": "moons", "seed": 0, "target_acc": 90.0, "config": config}

    assert build_table([result(True), result(False)]).rows == ["dann", "dann [oracle search]"]


def test_optuna_search_maximises_the_validator_of_its_trials(tmp_path):
    sweep = tmp_path / "search"
    subprocess.run(
        [sys.executable, "-m", "transferbench", "-m", "+search=dann", "dataset=moons", "trainer.iterations=20",
         "trainer.progress=false", "hydra.sweeper.n_trials=3", f"hydra.sweep.dir={sweep}"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    )
    trials = [json.loads(path.read_text()) for path in sweep.glob("*/results.json")]
    best = yaml.safe_load((sweep / "optimization_results.yaml").read_text())
    assert len(trials) == 3
    assert best["best_value"] == pytest.approx(max(trial["validators"]["snd"] for trial in trials))
    chosen = max(trials, key=lambda trial: trial["validators"]["snd"])["config"]
    assert best["best_params"]["method.trade_off"] == pytest.approx(chosen["method"]["trade_off"])
    assert best["best_params"]["optimizer.lr"] == pytest.approx(chosen["optimizer"]["lr"])


def test_a_single_run_needs_no_validator_for_the_objective_and_errors_keep_their_brackets(tmp_path):
    plain = subprocess.run(
        [sys.executable, "-m", "transferbench", "trainer.iterations=10", "trainer.validators=[]",
         "trainer.progress=false", f"hydra.run.dir={tmp_path / 'run'}"], capture_output=True, text=True, cwd=tmp_path,
    )
    assert plain.returncode == 0, plain.stderr
    trial = subprocess.run(
        [sys.executable, "-m", "transferbench", "-m", "+search=dann", "trainer.iterations=10", "trainer.validators=[im]",
         "trainer.progress=false", "hydra.sweeper.n_trials=1", "hydra.sweeper.n_jobs=1", f"hydra.sweep.dir={tmp_path / 's'}"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert trial.returncode != 0
    assert "error: objective.name=snd is not among trainer.validators (im); add it: trainer.validators=[im, snd]" in trial.stdout + trial.stderr
