import json

import pytest

from tests.scripts import load_script


@pytest.fixture(scope="module")
def bench():
    return load_script("bench_overhead")


def test_bench_reports_both_loops_and_their_ratio(bench, tmp_path, capsys):
    out = tmp_path / "overhead.json"
    code = bench.main(["--dataset", "moons", "--iterations", "5", "--warmup", "2", "--device", "cpu", "--out", str(out)])
    assert code == 0
    report = json.loads(out.read_text())
    assert (report["dataset"], report["iterations"], report["batch_size"]) == ("moons", 5, 32)
    assert len(report["hand_seconds"]) == len(report["engine_seconds"]) == 1
    assert report["ratio"] == pytest.approx(report["engine_median_s"] / report["hand_median_s"])
    output = capsys.readouterr().out
    assert "hand-written PyTorch" in output and "transferbench engine" in output


def test_bench_refuses_augmented_tasks_in_one_line(bench, capsys):
    assert bench.main(["--dataset", "office31", "--iterations", "5"]) == 1
    assert capsys.readouterr().err == "error: dataset office31 augments its training batches; pick a task without augment\n"
