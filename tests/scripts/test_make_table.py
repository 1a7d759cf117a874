"""make_table.py with several metrics: a column per task and metric; a metric no run records."""

import json

import pytest

from tests.scripts import load_script


def write(folder, method, seed, target, old=None):
    folder.mkdir(parents=True)
    (folder / ".hydra").mkdir()
    result = {"status": "completed", "method": method, "task": "fashion_mnist_b", "seed": seed,
              "target_acc": target, "oracle_target_acc": target, "source_acc": target,
              "config": {"method": {"name": method}}}
    if old is not None:
        result["old_acc"] = old
    (folder / "results.json").write_text(json.dumps(result))


def test_old_and_new_accuracy_side_by_side(tmp_path, capsys):
    for seed, (target, old) in enumerate([(80.0, 98.0), (82.0, 97.0)]):
        write(tmp_path / "lwf" / str(seed), "lwf", seed, target, old)
    write(tmp_path / "scratch" / "0", "source_only", 0, 85.0)
    assert load_script("make_table").main([str(tmp_path), "--metric", "old_acc", "target_acc"]) == 0
    table = capsys.readouterr().out
    assert "| method | fashion_mnist_b: old_acc | fashion_mnist_b: target_acc |" in table
    assert "| lwf | 97.50 ± 0.71 (n=2) | 81.00 ± 1.41 (n=2) |" in table
    assert "| source_only | — | 85.00 (n=1) |" in table
    assert (tmp_path / "table_old_acc_target_acc.md").is_file()


def test_a_metric_no_run_records_is_one_line(tmp_path, capsys):
    write(tmp_path / "a", "source_only", 0, 85.0)
    assert load_script("make_table").main([str(tmp_path), "--metric", "angle_mae"]) == 2
    assert "error: --metric angle_mae: no run under" in capsys.readouterr().err


def test_an_unknown_metric_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        load_script("make_table").main([str(tmp_path), "--metric", "speed"])
    assert "'speed' is not a metric" in capsys.readouterr().err
