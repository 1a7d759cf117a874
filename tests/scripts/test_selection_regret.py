"""selection_regret.py: each rule's gap to the oracle over a folder of runs; make_table.py --select."""

import json

from tests.analysis.test_selection import RUN, history_run
from tests.scripts import load_script


def write_run(folder, payload):
    (folder / ".hydra").mkdir(parents=True)
    (folder / "results.json").write_text(json.dumps(payload))


def test_the_regret_table_has_a_row_per_rule_and_a_gap_per_task(tmp_path, capsys):
    write_run(tmp_path / "a", RUN)
    write_run(tmp_path / "b", history_run([60.0, 50.0], [{"snd": 5.0}, {"snd": 1.0}], seed=1))
    assert load_script("selection_regret").main([str(tmp_path), "--by", "task"]) == 0
    table = capsys.readouterr().out
    assert "| snd | 2 | 75.00 | 0.00 | 0.00 | 100 | 0 | 0 |" in table
    assert "| last | 2 | 65.00 | 10.00 | 10.00 | 0 | 100 | 0 |" in table
    assert "| oracle (peeks at target labels) | 2 |" in table
    assert "| mnist_usps | 2 | 10.00 | 10.00 | 0.00 | 0.00 | 10.00 |" in table  # last, dev, im, snd, source_val
    assert (tmp_path / "selection_regret.md").read_text() == table


def test_make_table_select_on_old_runs_shows_a_dash_not_an_error(tmp_path, capsys):
    write_run(tmp_path / "old", history_run([70.0, 75.0]))
    assert load_script("make_table").main([str(tmp_path), "--select", "dev", "--no-references"]) == 0
    table = capsys.readouterr().out
    assert "| dann | — | — |" in table
    assert "model selection rule picks; target_acc@dev: best by validator dev" in table


def test_an_empty_folder_is_one_line(tmp_path, capsys):
    assert load_script("selection_regret").main([str(tmp_path)]) == 1
    assert "no completed results.json" in capsys.readouterr().err
