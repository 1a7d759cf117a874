"""``backbone.weights``: a later run starts from the backbone an earlier run trained."""

import json

import pytest
import torch

from transferbench.errors import UserError
from transferbench.models import build_model
from transferbench.experiment import run

BASE = ["method=source_only", "trainer.iterations=20", "trainer.eval_every=20"]


@pytest.fixture
def base_run(make_config, tmp_path):
    """A finished moons run; returns its dir and its trained backbone's state."""
    run_dir = tmp_path / "base"
    run(make_config(*BASE), run_dir)
    method = torch.load(run_dir / "checkpoint.pt", weights_only=True)["method"]
    prefix = "model.backbone."
    return run_dir, {key.removeprefix(prefix): value for key, value in method.items() if key.startswith(prefix)}


def built(make_config, weights, *overrides):
    torch.manual_seed(1)
    return build_model(make_config(f"backbone.weights={weights}", *overrides).backbone, (2,), 2)


def assert_backbone(model, expected):
    assert model.backbone.state_dict().keys() == expected.keys()
    assert all(torch.equal(value, expected[key]) for key, value in model.backbone.state_dict().items())


def test_a_run_dir_gives_its_trained_backbone_and_a_fresh_head(make_config, base_run):
    run_dir, trained = base_run
    model = built(make_config, run_dir)
    assert_backbone(model, trained)
    head = torch.load(run_dir / "checkpoint.pt", weights_only=True)["method"]["model.head.weight"]
    assert not torch.equal(model.head.weight, head)


def test_a_checkpoint_or_a_saved_backbone_state_dict_work_too(make_config, base_run, tmp_path):
    run_dir, trained = base_run
    assert_backbone(built(make_config, run_dir / "checkpoint.pt"), trained)
    torch.save(trained, tmp_path / "backbone.pt")
    assert_backbone(built(make_config, tmp_path / "backbone.pt"), trained)


def test_an_unfinished_run_is_refused(make_config, base_run):
    run_dir, _ = base_run
    (run_dir / "results.json").write_text(json.dumps({"status": "failed"}))
    with pytest.raises(UserError, match=f"backbone.weights={run_dir} is not a finished run"):
        built(make_config, run_dir)


def test_another_architecture_is_one_line(make_config, base_run):
    run_dir, _ = base_run
    with pytest.raises(UserError) as error:
        built(make_config, run_dir, "backbone.options.hidden=[16]")
    message = str(error.value)
    assert "\n" not in message
    assert f"backbone.weights={run_dir} does not fit backbone mlp (unexpected blocks.fc2.0.weight" in message
    assert "wrong shape blocks.fc1.0.weight" in message


def test_an_unreadable_file_is_one_line(make_config, tmp_path):
    (tmp_path / "notes.txt").write_text("not a checkpoint")
    with pytest.raises(UserError, match="cannot read backbone.weights=.*notes.txt"):
        built(make_config, tmp_path / "notes.txt")
