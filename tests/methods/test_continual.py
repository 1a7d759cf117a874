"""Continual methods: the start from an old run, each loss against a hand-written reference,
LwF's targets from the original network, the warm-up, and old_acc through the engine."""

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from tests.conftest import run_cli
from transferbench.data import build_task
from transferbench.errors import UserError
from transferbench.experiment import Experiment, run
from transferbench.layout import read_results
from transferbench.methods import Batch, build_method
from transferbench.models import build_model

SHORT = ["trainer.iterations=20", "trainer.eval_every=10", "trainer.batch_size=16"]


def continual(make_config, old: Path, *overrides: str):
    cfg = make_config(*overrides, f"method.old={old}")
    torch.manual_seed(1)
    task = build_task(cfg.dataset, root=Path(), download=False)
    return build_method(cfg.method, build_model(cfg.backbone, task.input_shape, task.num_classes)), task


def batch(task, count=64) -> Batch:
    return Batch(task.source.train.inputs[:count], task.source.train.labels[:count])


def reference_kl(current: torch.Tensor, recorded: torch.Tensor, temperature: float) -> torch.Tensor:
    """Σ p log(p / q) per example, averaged, with p, q the softened recorded and current outputs."""
    p = torch.softmax(recorded / temperature, dim=1)
    q = torch.softmax(current / temperature, dim=1)
    return (p * (p.log() - q.log())).sum(dim=1).mean()


def test_the_network_starts_from_the_old_run_with_its_head_kept_as_old(make_config, moons_runs):
    method, _ = continual(make_config, moons_runs["source_only"], "method=continual_finetune")
    original = Experiment.restore(moons_runs["source_only"]).method.model
    for mine, theirs in zip(method.model.backbone.parameters(), original.backbone.parameters()):
        assert torch.equal(mine, theirs)
    assert torch.equal(method.model.heads["old"].weight, original.head.weight)
    assert not torch.equal(method.model.head.weight, original.head.weight)
    assert method.related_tasks()["old"]["name"] == "moons"


def test_lwf_loss_is_cross_entropy_plus_softened_kl_to_the_original_outputs(make_config, moons_runs):
    method, task = continual(make_config, moons_runs["source_only"], "method=lwf", "method.trade_off=0.5",
                             "method.temperature=3.0")
    with torch.no_grad():
        method.model.heads["old"].weight.mul_(0.5)  # the current old head differs from the original
    source = batch(task)
    losses = method.losses(source, source, progress=1.0)
    outputs = method.model(source.inputs)
    original = Experiment.restore(moons_runs["source_only"]).method.model(source.inputs).logits
    assert losses["classification"].item() == pytest.approx(F.cross_entropy(outputs.logits, source.labels).item())
    expected = 0.5 * reference_kl(outputs.heads["old"], original, 3.0)
    assert losses["old_task"].item() == pytest.approx(expected.item(), rel=1e-5)
    assert expected.item() > 0


def test_lwf_targets_come_from_the_original_network_not_the_trained_one(make_config, moons_runs):
    method, task = continual(make_config, moons_runs["source_only"], "method=lwf", "method.warmup=0")
    optimizer = torch.optim.SGD([p for g in method.parameter_groups() for p in g["params"]], lr=0.5)
    source = batch(task)
    for _ in range(5):
        optimizer.zero_grad()
        sum(method.losses(source, source, progress=0.5).values()).backward()
        optimizer.step()
    original = Experiment.restore(moons_runs["source_only"]).method.model(source.inputs).logits
    assert torch.equal(method.original(source.inputs).logits, original)
    assert not torch.allclose(method.model(source.inputs).heads["old"], original)


def test_lfl_loss_is_half_squared_feature_distance_and_the_old_head_stays(make_config, moons_runs):
    method, task = continual(make_config, moons_runs["source_only"], "method=lfl", "method.trade_off=2.0")
    with torch.no_grad():
        method.model.backbone.blocks["fc1"][0].weight.add_(0.3)  # move the features off the original
    source = batch(task)
    losses = method.losses(source, source, progress=1.0)
    original = Experiment.restore(moons_runs["source_only"]).method.model(source.inputs).features
    difference = method.model(source.inputs).features - original
    expected = 2.0 * 0.5 * sum(row.dot(row) for row in difference) / len(difference)
    assert losses["features"].item() == pytest.approx(expected.item(), rel=1e-5)
    trained = {id(p) for g in method.parameter_groups() for p in g["params"]}
    assert not any(id(p) in trained for p in method.model.heads["old"].parameters())


def test_joint_adds_the_old_heads_cross_entropy_on_the_old_tasks_batch(make_config, moons_runs):
    method, task = continual(make_config, moons_runs["source_only"], "method=joint", "method.trade_off=0.3")
    source = batch(task)
    old = Batch(task.target.train.inputs[:32], task.target.train.labels[:32])
    losses = method.losses(source, source, progress=1.0, related={"old": old})
    expected = 0.3 * F.cross_entropy(method.model(old.inputs).heads["old"], old.labels)
    assert losses["old_task"].item() == pytest.approx(expected.item(), rel=1e-6)


@pytest.mark.parametrize("name", ["lwf", "lfl", "joint", "continual_finetune"])
def test_the_warm_up_trains_the_new_head_only(make_config, moons_runs, name):
    method, task = continual(make_config, moons_runs["source_only"], f"method={name}", "method.warmup=0.5")
    before = {key: value.clone() for key, value in method.state_dict().items()}
    optimizer = torch.optim.SGD([p for g in method.parameter_groups() for p in g["params"]], lr=0.5, momentum=0.9)
    source = batch(task)
    related = {"related": {"old": source}} if method.trains_on else {}
    losses = method.losses(source, source, progress=0.4, **related)
    assert set(losses) == {"classification"}
    optimizer.zero_grad()
    sum(losses.values()).backward()
    optimizer.step()
    changed = {key for key, value in method.state_dict().items() if not torch.equal(value, before[key])}
    assert changed == {"model.head.weight", "model.head.bias"}


def test_feature_extraction_keeps_old_acc_and_results_record_it(make_config, moons_runs, tmp_path):
    old = moons_runs["source_only"]
    cfg = make_config("method=continual_feature_extraction", f"method.old={old}", *SHORT)
    results = run(cfg, tmp_path / "run")
    assert results["old_acc"] == read_results(old)["target_acc"]
    assert all("old_acc" in record for record in results["history"])
    assert results["provenance"]["old"]["run"] == str(old)


def test_fine_tuning_moves_old_acc_where_feature_extraction_cannot(make_config, moons_runs, tmp_path):
    old = moons_runs["source_only"]
    arms = {}
    for name in ("continual_finetune", "continual_feature_extraction"):
        cfg = make_config(f"method={name}", f"method.old={old}", "trainer.iterations=60", "trainer.eval_every=60",
                          "dataset.source=moons_rotated", "optimizer.lr=0.5")
        arms[name] = run(cfg, tmp_path / name)["old_acc"]
    assert arms["continual_feature_extraction"] == read_results(old)["target_acc"]
    assert arms["continual_finetune"] != arms["continual_feature_extraction"]


def test_another_architecture_than_the_old_runs_is_one_line(make_config, moons_runs):
    with pytest.raises(UserError, match="another architecture than this run's backbone"):
        continual(make_config, moons_runs["source_only"], "method=lwf", "backbone.options.hidden=[8]")


def test_lwf_without_an_old_run_is_one_line(tmp_path):
    result = run_cli("method=lwf", "dataset=moons", f"hydra.run.dir={tmp_path}", cwd=tmp_path)
    assert result.returncode != 0
    assert result.stderr.strip() == "error: method.old is required (??? in its YAML); set it on the command line: method.old=..."
