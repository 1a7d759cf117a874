"""Model selection rules over a run's history, their regret against the oracle, and the tables
that report them."""

import pytest

from transferbench.analysis.formats import to_markdown
from transferbench.analysis.selection import (
    regret, selected_accuracy, selection_metric, selection_rules, with_selections,
)
from transferbench.analysis.table import build_table


def history_run(accuracies, validators=None, method="dann", task="mnist_usps", seed=0, config=None):
    """A finished run whose evaluations had these target accuracies and validator scores."""
    history = [
        {"iteration": 100 * (i + 1), "target_acc": acc, **({"validators": validators[i]} if validators else {})}
        for i, acc in enumerate(accuracies)
    ]
    return {
        "status": "completed", "method": method, "task": task, "seed": seed, "target_acc": accuracies[-1],
        "oracle_target_acc": max(accuracies), "source_acc": 99.0, "history": history,
        "config": config or {"method": {"name": method}},
    }


RUN = history_run(
    [70.0, 90.0, 80.0],
    [{"source_val": 95.0, "snd": 1.0, "dev": 0.9, "im": 0.5},
     {"source_val": 97.0, "snd": 3.0, "dev": 0.7, "im": 0.5},
     {"source_val": 99.0, "snd": 2.0, "dev": 0.2, "im": 0.1}],
)


@pytest.mark.parametrize("rule, expected", [
    ("last", 80.0), ("oracle", 90.0), ("source_val", 80.0), ("snd", 90.0),
    ("dev", 80.0),  # DEV is a risk: the lowest score wins
    ("im", 90.0),   # a tie goes to the later evaluation
])
def test_each_rule_picks_its_evaluation(rule, expected):
    assert selected_accuracy(RUN, rule) == expected


def test_a_run_without_validators_can_be_selected_only_by_last_and_oracle():
    old = history_run([70.0, 90.0, 80.0])
    assert selected_accuracy(old, "snd") is None
    assert with_selections(old, ["last", "snd", "oracle"]).keys() >= {"target_acc", "oracle_target_acc"}
    assert "target_acc@snd" not in with_selections(old, ["snd"])


def test_rules_are_last_every_validator_then_oracle():
    assert selection_rules() == ["last", "dev", "im", "snd", "source_val", "oracle"]
    assert [selection_metric(r) for r in ("last", "snd", "oracle")] == ["target_acc", "target_acc@snd", "oracle_target_acc"]


def test_regret_is_the_gap_to_the_oracle_and_counts_wins_over_last():
    other = history_run([60.0, 50.0], [{"snd": 5.0}, {"snd": 1.0}], seed=1)
    found = regret([RUN, other], "snd")
    assert found.runs == 2
    assert found.accuracy == pytest.approx(75.0)  # 90 and 60
    assert found.gap == pytest.approx(0.0) and found.worst_gap == 0.0
    assert found.beats_last == 100.0 and found.ties_last == 0.0
    last = regret([RUN, other], "last")
    assert last.gap == pytest.approx((10.0 + 10.0) / 2) and last.ties_last == 100.0
    assert regret([history_run([1.0])], "snd") is None


def test_a_selection_table_says_which_rule_made_its_cells_and_keeps_rows_of_old_runs():
    old = history_run([70.0, 75.0], method="source_only")
    results = [with_selections(r, ["last", "snd"]) for r in (RUN, old)]
    table = build_table(results, ["target_acc", "target_acc@snd"], all_rows=True)
    markdown = to_markdown(table)
    assert "target_acc@snd: best by validator snd (no target labels)" in markdown
    assert "| mnist_usps: target_acc | mnist_usps: target_acc@snd |" in markdown
    assert "| source_only | 75.00 (n=1) | — |" in markdown
    assert "| dann | 80.00 (n=1) | 90.00 (n=1) |" in markdown
