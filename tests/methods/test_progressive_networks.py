"""Progressive networks: the frozen column stays bit-identical, the laterals follow the formula,
and the old task's accuracy is the old run's."""

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from transferbench.data import build_task
from transferbench.errors import UserError
from transferbench.experiment import Experiment, run
from transferbench.layout import read_results
from transferbench.methods import Batch, build_method
from transferbench.models import build_model


def progressive(make_config, old: Path, *overrides: str):
    cfg = make_config("method=progressive_networks", f"method.old={old}", *overrides)
    torch.manual_seed(2)
    task = build_task(cfg.dataset, root=Path(), download=False)
    return build_method(cfg.method, build_model(cfg.backbone, task.input_shape, task.num_classes)), task


def test_the_new_column_reads_the_old_one_through_the_adapters(make_config, moons_runs):
    method, task = progressive(make_config, moons_runs["source_only"])
    inputs = task.source.train.inputs[:16]
    old = Experiment.restore(moons_runs["source_only"]).method.model.backbone.blocks
    new, (first, second) = method.model, method.adapters
    old1 = old["fc1"](inputs)
    old2 = old["fc2"](old1)

    def lateral(adapter, hidden):
        return adapter.expand(F.relu(adapter.reduce(adapter.alpha * hidden)))

    hidden = new.backbone.blocks["fc2"](new.backbone.blocks["fc1"](inputs) + lateral(first, old1))
    expected = new.head(hidden + lateral(second, old2))
    assert torch.allclose(method.forward_columns(inputs)[0].logits, expected, atol=1e-6)
    assert 0 < first.alpha.item() < 0.1


def test_training_leaves_the_old_column_bit_identical_and_moves_the_adapters(make_config, moons_runs):
    method, task = progressive(make_config, moons_runs["source_only"])
    column = {key: value.clone() for key, value in method.column.network.state_dict().items()}
    adapters = {key: value.clone() for key, value in method.adapters.state_dict().items()}
    optimizer = torch.optim.SGD([p for g in method.parameter_groups() for p in g["params"]], lr=0.5, momentum=0.9)
    batch = Batch(task.source.train.inputs[:64], task.source.train.labels[:64])
    for _ in range(5):
        optimizer.zero_grad()
        sum(method.losses(batch, batch, progress=0.5).values()).backward()
        optimizer.step()
    assert all(torch.equal(value, column[key]) for key, value in method.column.network.state_dict().items())
    assert any(not torch.equal(value, adapters[key]) for key, value in method.adapters.state_dict().items())
    assert not any(key.startswith("column") for key in method.state_dict())


def test_the_old_tasks_accuracy_is_the_old_runs(make_config, moons_runs, tmp_path):
    old = moons_runs["source_only"]
    cfg = make_config("method=progressive_networks", f"method.old={old}", "trainer.iterations=20",
                      "trainer.eval_every=10", "dataset.source=moons_rotated", "optimizer.lr=0.5")
    results = run(cfg, tmp_path / "run")
    assert [record["old_acc"] for record in results["history"]] == [read_results(old)["target_acc"]] * 2


def test_columns_may_differ_in_width_but_not_in_blocks(make_config, moons_runs):
    wide, _ = progressive(make_config, moons_runs["source_only"], "backbone=mlp_800x2")
    assert wide.adapters[0].reduce.weight.shape == (800, 32)
    with pytest.raises(UserError, match=r"the old column's blocks \(fc1, fc2\) differ from this run's \(fc1\)"):
        progressive(make_config, moons_runs["source_only"], "backbone.options.hidden=[8]")
