import json

import pytest
import torch

from transferbench.files import save_torch, write_json


def test_write_json_replaces_the_file_whole(tmp_path):
    path = tmp_path / "results.json"
    write_json(path, {"a": 1})
    write_json(path, {"a": 2})
    assert json.loads(path.read_text()) == {"a": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "results.json"
    write_json(path, {"a": 1})
    with pytest.raises(TypeError):
        write_json(path, {"a": object()})
    assert json.loads(path.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_save_torch_round_trips(tmp_path):
    path = tmp_path / "checkpoint.pt"
    save_torch(path, {"weights": torch.arange(3)})
    assert torch.equal(torch.load(path)["weights"], torch.arange(3))
