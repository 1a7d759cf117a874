"""Validators in a run: scored at every evaluation without target labels, recorded in results.json,
and skipped (with a log line) where the task holds no source validation split."""

import json

import pytest

from transferbench.errors import UserError
from transferbench.experiment import Experiment, run
from transferbench.validation import VALIDATORS, Validator

SHORT = ["trainer.iterations=60", "trainer.eval_every=20"]


def test_every_evaluation_records_every_validator_and_the_held_out_size(make_config, tmp_path):
    results = run(make_config(*SHORT, "+dataset.source_val=0.2"), tmp_path)
    on_disk = json.loads((tmp_path / "results.json").read_text())
    assert [sorted(record["validators"]) for record in on_disk["history"]] == [["dev", "im", "snd", "source_val"]] * 3
    assert on_disk["validators"] == on_disk["history"][-1]["validators"] == results["validators"]
    assert on_disk["source_val_size"] == 200  # 20% of the 1,000 source moons
    assert 0 <= on_disk["validators"]["source_val"] <= 100


def test_a_task_without_a_source_validation_split_skips_the_validators_that_need_one(make_config, tmp_path, caplog):
    caplog.set_level("INFO", logger="transferbench.engine.loop")
    results = run(make_config(*SHORT), tmp_path)
    assert all(sorted(record["validators"]) == ["im", "snd"] for record in results["history"])
    assert results["source_val_size"] == 0
    assert any("no source validation split" in r.getMessage() and "source_val, dev" in r.getMessage()
               for r in caplog.records)


def test_no_validators_when_none_are_asked_for(make_config, tmp_path):
    results = run(make_config(*SHORT, "trainer.validators=[]"), tmp_path)
    assert all(record["validators"] == {} for record in results["history"])


def test_an_unknown_validator_is_one_line_naming_the_setting(make_config, tmp_path):
    with pytest.raises(UserError, match=r"unknown validator 'snf' \(trainer.validators\); choose one of: dev"):
        run(make_config(*SHORT, "trainer.validators=[snf]"), tmp_path)


class Spy(Validator):
    """Keeps what it is shown."""

    seen = []

    def __call__(self, evidence):
        Spy.seen.append(evidence)
        return 0.0


def test_validators_see_no_target_label_and_the_held_out_split_with_its_labels(make_config, tmp_path, monkeypatch):
    monkeypatch.setitem(VALIDATORS._entries, "spy", Spy)
    Spy.seen.clear()
    cfg = make_config(*SHORT, "+dataset.source_val=0.2", "trainer.validators=[spy]", "trainer.validation_samples=300")
    run(cfg, tmp_path)
    task = Experiment.build(cfg).task
    assert len(Spy.seen) == 3
    for evidence in Spy.seen:
        assert evidence.target.labels is None and evidence.source.labels is None
        assert len(evidence.target.logits) == len(evidence.source.logits) == 300
        assert evidence.source_val.labels.tolist() == task.source.val.labels.tolist()
