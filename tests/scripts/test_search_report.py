"""search_report.py: an Optuna search's trials, best objective first, with what the search never saw."""

import json

import yaml

from tests.scripts import load_script

SPACE = {"hydra": {"sweeper": {"params": {"method.trade_off": "tag(log, interval(0.1, 10))"}}}}


def trial(folder, trade_off, dev, target_acc):
    (folder / ".hydra").mkdir(parents=True)
    (folder / ".hydra" / "hydra.yaml").write_text(yaml.safe_dump(SPACE))
    config = {"method": {"name": "dann", "trade_off": trade_off}, "objective": {"name": "dev", "oracle": False}}
    result = {"status": "completed", "method": "dann", "task": "mnist_usps", "seed": 0, "target_acc": target_acc,
              "validators": {"dev": dev, "snd": 1.0}, "config": config}
    (folder / "results.json").write_text(json.dumps(result))


def test_trials_are_ranked_by_the_objective_larger_is_better(tmp_path, capsys):
    trial(tmp_path / "a", 0.5, dev=0.9, target_acc=80.0)
    trial(tmp_path / "b", 2.0, dev=0.3, target_acc=70.0)
    assert load_script("search_report").main([str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "| method.trade_off | objective (dev) | dev | snd | target acc (last, unseen by the search) |"
    assert lines[2:] == ["| 2 | -0.3000 | 0.3 | 1 | 70.00 |", "| 0.5 | -0.9000 | 0.9 | 1 | 80.00 |"]
    assert (tmp_path / "search_report.md").is_file()


def test_a_folder_without_trials_is_one_line(tmp_path, capsys):
    assert load_script("search_report").main([str(tmp_path)]) == 1
    assert "no completed trial" in capsys.readouterr().err


def test_an_oracle_search_says_so_in_its_header(tmp_path, capsys):
    trial(tmp_path / "a", 0.5, dev=0.9, target_acc=80.0)
    results = json.loads((tmp_path / "a" / "results.json").read_text())
    results["config"]["objective"] = {"name": "target_acc", "oracle": True}
    (tmp_path / "a" / "results.json").write_text(json.dumps(results))
    assert load_script("search_report").main([str(tmp_path)]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert "objective (target_acc, oracle: peeks at target labels)" in header
    assert "target acc (last, seen by the search)" in header
