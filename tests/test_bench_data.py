"""scripts/bench_data.py: a tiny run on the moons, and one-line errors for bad arguments."""

import importlib.util
import json
import sys

import pytest
import torch
from torch.utils.data import DataLoader

from tests.conftest import REPO_ROOT
from transferbench.data import Split
from transferbench.experiment import run


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_data", REPO_ROOT / "scripts" / "bench_data.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_data"] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules["bench_data"]


def test_tiny_moons_run_reports_both_pipelines_and_the_normal_runs_accuracy(bench, make_config, tmp_path):
    out = tmp_path / "bench.json"
    arguments = ["--iterations", "40", "--num-workers", "1", "--device", "cpu", "--out", str(out)]
    assert bench.main([*arguments, "dataset=moons", "seed=2"]) == 0
    result = json.loads(out.read_text())
    assert [result[key] for key in ("task", "method", "seed", "iterations")] == ["moons", "dann", 2, 40]
    on_device, loader = result["on_device"], result["dataloader"]
    assert on_device["images_per_s"] > 0 and loader["images_per_s"] > 0
    assert result["speedup"] == pytest.approx(on_device["images_per_s"] / loader["images_per_s"], abs=0.01)
    assert 0 <= loader["target_acc"] <= 100
    normal = make_config("dataset=moons", "seed=2", "trainer.iterations=40", "trainer.eval_every=40")
    assert on_device["target_acc"] == run(normal, tmp_path)["target_acc"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["trainer.iterationz=3"], "unknown key 'trainer.iterationz'"),
        (["--device", "gpu"], "trainer.device=gpu is not a device"),
        (["dataset=office31"], "augments its images"),
        (["method=nope"], "unknown method 'nope'; choose one of: "),
    ],
)
def test_bad_input_is_one_line(bench, capsys, arguments, message):
    assert bench.main(arguments) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: ") and message in error and error.count("\n") == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--iterations", "0"], "error: argument --iterations: must be a positive integer, got '0'"),
        (["--num-workers", "-1"], "error: argument --num-workers: must be a non-negative integer, got '-1'"),
    ],
)
def test_bad_flags_exit_with_status_2(bench, capsys, arguments, message):
    with pytest.raises(SystemExit) as exit_info:
        bench.main(arguments)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_loader_source_state_replays_to_the_same_next_batch(bench):
    split = Split(torch.arange(10, dtype=torch.uint8).view(10, 1, 1, 1), torch.arange(10))

    def source():
        loader = DataLoader(
            bench.RawImages(split, lambda x: x), batch_size=3, shuffle=True, drop_last=True,
            generator=torch.Generator(),
        )
        return bench.LoaderSource(loader, seed=5, device=torch.device("cpu"))

    drawn, resumed = source(), source()
    for _ in range(4):
        next(drawn)
    resumed.load_state_dict(drawn.state_dict())
    assert resumed.state_dict() == {"batches": 4}
    assert torch.equal(next(resumed)[1], next(drawn)[1])
