"""End-to-end runs through ``transferbench.train.run`` on the embedded moons task."""

import json

import pytest

from transferbench.errors import UserError
from transferbench.methods import build_method
from transferbench.models import build_model
from transferbench.experiment import Experiment, build_optimizer, run
from transferbench.methods.source_only import SourceOnly

SHORT = ["trainer.iterations=300", "trainer.eval_every=100"]


def test_results_json_has_what_a_paper_needs(make_config, tmp_path):
    results = run(make_config(*SHORT), tmp_path)
    on_disk = json.loads((tmp_path / "results.json").read_text())
    assert on_disk["target_acc"] == results["target_acc"] == results["history"][-1]["target_acc"]
    assert on_disk["selection"] == "last"
    assert on_disk["oracle_target_acc"] == max(r["target_acc"] for r in on_disk["history"])
    assert [r["iteration"] for r in on_disk["history"]] == [100, 200, 300]
    assert on_disk["train_images_per_s"] > 0 and on_disk["wall_time_s"] >= on_disk["train_time_s"] > 0
    assert on_disk["config"]["method"]["name"] == "dann"
    assert on_disk["environment"]["versions"]["torch"]
    assert on_disk["cpu_threads"]["threads"] == 1 and on_disk["cpu_threads"]["setting"] == "auto"
    assert (tmp_path / "checkpoint.pt").is_file()


def test_each_evaluation_is_logged_for_runs_without_a_progress_bar(make_config, tmp_path, caplog):
    caplog.set_level("INFO", logger="transferbench.engine.loop")
    results = run(make_config(*SHORT), tmp_path)
    messages = [r.getMessage() for r in caplog.records if r.name == "transferbench.engine.loop"]
    lines = [message for message in messages if message.startswith("iteration")]
    assert len(lines) == 3
    assert lines[-1].startswith(f"iteration 300/300: target acc {results['target_acc']:.2f}, source acc ")
    assert "classification=" in lines[-1] and "domain=" in lines[-1]


def test_same_seed_gives_the_same_numbers(make_config, tmp_path):
    first = run(make_config(*SHORT, "seed=7"), tmp_path / "a")
    second = run(make_config(*SHORT, "seed=7"), tmp_path / "b")
    other = run(make_config(*SHORT, "seed=8"), tmp_path / "c")
    assert first["history"] == second["history"]
    assert first["history"] != other["history"]


@pytest.mark.parametrize("method", ["dann", "cdan"])
def test_how_often_a_run_is_evaluated_changes_nothing_it_learns(make_config, tmp_path, method):
    """Evaluation draws no random numbers and moves no BatchNorm statistics: the last evaluation
    of a run evaluated every 20 iterations equals that of one evaluated once, at the end."""
    settings = [f"method={method}", "dataset.protocol.discriminator.batch_norm=true", "trainer.iterations=60"]
    often = run(make_config(*settings, "trainer.eval_every=20"), tmp_path / "often")
    once = run(make_config(*settings, "trainer.eval_every=60"), tmp_path / "once")
    assert len(often["history"]) == 3 and len(once["history"]) == 1
    assert often["history"][-1] == once["history"][-1]


def test_resume_false_starts_over(make_config, tmp_path):
    run(make_config(*SHORT), tmp_path)
    (tmp_path / "results.json").unlink()
    results = run(make_config(*SHORT, "trainer.resume=false"), tmp_path)
    assert len(results["history"]) == 3


def test_checkpoint_of_another_config_is_refused(make_config, tmp_path):
    run(make_config(*SHORT, "trainer.checkpoint_every=100"), tmp_path)
    (tmp_path / "results.json").unlink()
    with pytest.raises(UserError, match="different config"):
        run(make_config(*SHORT, "method.trade_off=0.5"), tmp_path)


@pytest.mark.slow
def test_dann_beats_source_only_on_rotated_moons(make_config, tmp_path):
    """The acceptance claim of the default task, on seeds 0, 1, 2 with the default protocol."""
    means = {}
    for method in ("source_only", "dann"):
        accuracies = [
            run(make_config(f"method={method}", f"seed={seed}"), tmp_path / f"{method}{seed}")["target_acc"]
            for seed in (0, 1, 2)
        ]
        means[method] = sum(accuracies) / 3
    assert means["dann"] > means["source_only"] + 5


def test_optimizer_groups_get_base_lr_times_multiplier(make_config):
    cfg = make_config("dataset=mnist_usps", "backbone.lr_mult=0.1", "optimizer.lr=0.02")
    method = build_method(cfg.method, build_model(cfg.backbone, (1, 28, 28), 10))
    optimizer = build_optimizer(cfg.optimizer, method)
    assert [group["lr"] for group in optimizer.param_groups] == pytest.approx([0.002, 0.02, 0.02])


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [(["dataset=mnist_usps"], 1e-3), (["dataset=mnist_mnistm"], 0.0),
     (["dataset=svhn_mnist"], 0.0), (["dataset=mnist_mnistm", "optimizer.weight_decay=5e-4"], 5e-4)],
)
def test_weight_decay_follows_the_task_protocol_unless_overridden(make_config, overrides, expected):
    cfg = make_config(*overrides)
    method = build_method(cfg.method, build_model(cfg.backbone, (3, 28, 28), 10))
    assert {group["weight_decay"] for group in build_optimizer(cfg.optimizer, method).param_groups} == {expected}


def test_finished_run_with_another_config_is_not_taken_as_done(make_config, tmp_path):
    run(make_config("trainer.iterations=50", "trainer.eval_every=50"), tmp_path)
    before = (tmp_path / "results.json").read_text()
    same = run(make_config("trainer.iterations=50", "trainer.eval_every=50", "data.download=false"), tmp_path)
    assert same["target_acc"] == json.loads(before)["target_acc"]
    with pytest.raises(UserError, match="finished run with a different config"):
        run(make_config("trainer.iterations=50", "trainer.eval_every=50", "optimizer.lr=0.02"), tmp_path)
    assert (tmp_path / "results.json").read_text() == before


def test_threads_must_be_a_positive_integer(make_config, tmp_path):
    with pytest.raises(UserError, match="trainer.threads must be a positive integer"):
        run(make_config("trainer.iterations=10", "trainer.threads=0"), tmp_path)


def test_each_domain_is_evaluated_after_the_method_is_prepared_for_it(make_config, tmp_path, monkeypatch):
    """``before_eval`` is called per domain (source first) with that domain's training split, so
    a method that predicts per domain (AdaBN, AutoDIAL) reports source_acc under source statistics."""
    calls = []
    monkeypatch.setattr(SourceOnly, "before_eval", lambda self, domain, train, prepare: calls.append((domain, train)))
    predict = SourceOnly.predict
    monkeypatch.setattr(SourceOnly, "predict", lambda self, inputs: calls.append("predict") or predict(self, inputs))
    cfg = make_config("method=source_only", "trainer.iterations=1", "trainer.validators=[]")
    experiment = Experiment.build(cfg)
    experiment.trainer(tmp_path / "checkpoint.pt").fit()
    task = experiment.task
    assert [call[0] if isinstance(call, tuple) else call for call in calls] == ["source", "predict", "target", "predict"]
    assert calls[0][1] is task.source.train and calls[2][1] is task.target.train
