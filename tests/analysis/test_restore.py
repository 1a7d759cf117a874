import json
import shutil

import numpy as np
import pytest
import torch
from omegaconf import OmegaConf

from transferbench.analysis.features import extract_features, tsne_map
from transferbench.config import config_digest
from transferbench.experiment import Experiment
from transferbench.layout import completed_results
from transferbench.engine.evaluate import accuracy
from transferbench.errors import UserError


def test_restored_run_reproduces_its_reported_accuracy(moons_runs):
    for run_dir in moons_runs.values():
        run = Experiment.restore(run_dir)
        assert not run.method.training
        for domain, key in ((run.task.target, "target_acc"), (run.task.source, "source_acc")):
            assert accuracy(run.method, domain.test, run.task.eval_inputs, 1000) == completed_results(run_dir)[key]


def test_features_are_a_seeded_subsample_with_labels(moons_runs):
    run = Experiment.restore(moons_runs["dann"])
    split = run.task.target.test
    features = extract_features(run.method, split, run.task.eval_inputs, count=50, seed=3)
    assert features.values.shape == (50, run.method.model.features_dim)
    assert set(features.labels) <= set(split.labels.tolist())
    again = extract_features(run.method, split, run.task.eval_inputs, count=50, seed=3)
    np.testing.assert_array_equal(features.values, again.values)
    assert tsne_map(features.values, seed=0).shape == (50, 2)


def test_an_unfinished_run_is_one_clear_error(tmp_path):
    with pytest.raises(UserError, match="is not a finished run"):
        Experiment.restore(tmp_path)


def test_a_checkpoint_of_another_config_is_refused(moons_runs, tmp_path):
    copy = shutil.copytree(moons_runs["dann"], tmp_path / "copy")
    results = json.loads((copy / "results.json").read_text())
    results["config"]["method"]["trade_off"] = 0.5
    (copy / "results.json").write_text(json.dumps(results))
    with pytest.raises(UserError, match="was not written by the run"):
        Experiment.restore(copy)


def test_a_run_from_before_validators_and_objectives_is_restored(moons_runs, tmp_path):
    """Runs finished before 2026-12-05 have no ``objective`` and no ``trainer.validators``."""
    old = tmp_path / "old"
    shutil.copytree(moons_runs["dann"], old)
    results = json.loads((old / "results.json").read_text())
    del results["config"]["objective"], results["config"]["trainer"]["validators"]
    (old / "results.json").write_text(json.dumps(results))
    checkpoint = torch.load(old / "checkpoint.pt", weights_only=False)
    checkpoint["config_digest"] = config_digest(OmegaConf.create(results["config"]))
    torch.save(checkpoint, old / "checkpoint.pt")
    run = Experiment.restore(old)
    assert accuracy(run.method, run.task.target.test, run.task.eval_inputs, 1000) == results["target_acc"]
