"""Model selection rules: which evaluation of a run to report, and the target accuracy there.

``last`` is the last checkpoint (the default everywhere); each validator of
``transferbench/validation/`` is a rule that picks the evaluation its score ranks best, without a
target label (``source_val`` is DomainBed's training-domain validation); ``oracle`` picks the best
target test accuracy, which peeks at the test labels and is labelled so wherever it appears.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any, Callable

from transferbench.engine.results import ORACLE_METRIC
from transferbench.validation import VALIDATORS

LAST, ORACLE = "last", "oracle"
#: How ``selection_metric`` names the accuracy a validator selects: ``target_acc@snd``.
VALIDATOR_PREFIX = "target_acc@"


def selection_rules() -> list[str]:
    """``last``, every registered validator, then ``oracle``."""
    return [LAST, *VALIDATORS.names(), ORACLE]


def selection_metric(rule: str) -> str:
    """The results.json-style key of the target accuracy ``rule`` selects: ``target_acc`` (last),
    ``oracle_target_acc``, else ``target_acc@<validator>``."""
    return {LAST: "target_acc", ORACLE: ORACLE_METRIC}.get(rule, VALIDATOR_PREFIX + rule)


def rule_description(metric: str) -> str | None:
    """How a table says which rule made a selection metric's cells; None for another metric."""
    if metric == "target_acc":
        return "last checkpoint"
    if metric == ORACLE_METRIC:
        return "oracle, best on the target test labels (not a valid selection)"
    if metric.startswith(VALIDATOR_PREFIX):
        return f"best by validator {metric.removeprefix(VALIDATOR_PREFIX)} (no target labels)"
    return None


def selected_evaluation(result: dict[str, Any], rule: str) -> dict[str, Any] | None:
    """The history record ``rule`` picks in a finished run; None when the run did not record the
    rule's validator (a run from before validators, or a task without a source validation split).
    Ties go to the later evaluation."""
    history = result.get("history") or []
    if not history:
        return None
    if rule == LAST:
        return history[-1]
    if rule == ORACLE:
        return _best(history, lambda record: record["target_acc"])
    sign = 1.0 if VALIDATORS.get(rule, "--select").higher_is_better else -1.0
    scored = [record for record in history if rule in (record.get("validators") or {})]
    return _best(scored, lambda record: sign * record["validators"][rule]) if scored else None


def selected_accuracy(result: dict[str, Any], rule: str) -> float | None:
    """The target test accuracy at the evaluation ``rule`` picks (None: see ``selected_evaluation``)."""
    record = selected_evaluation(result, rule)
    return None if record is None else float(record["target_acc"])


def with_selections(result: dict[str, Any], rules: list[str]) -> dict[str, Any]:
    """``result`` with the accuracy each of ``rules`` selects under ``selection_metric(rule)``
    (absent where the rule cannot select)."""
    picked = {selection_metric(rule): selected_accuracy(result, rule) for rule in rules}
    return result | {key: value for key, value in picked.items() if value is not None}


def _best(records: list[dict[str, Any]], score: Callable[[dict[str, Any]], float]) -> dict[str, Any]:
    best = max(score(record) for record in records)
    return [record for record in records if score(record) == best][-1]


@dataclass
class Regret:
    """How one rule fared over a set of runs: ``runs`` it could select in, the mean target accuracy
    it picked, the mean and worst gap to the oracle's pick, and the share of runs in which its
    pick was above, equal to and below the last checkpoint's accuracy (%)."""

    rule: str
    runs: int
    accuracy: float
    gap: float
    worst_gap: float
    beats_last: float
    ties_last: float
    loses_to_last: float


def regret(results: list[dict[str, Any]], rule: str) -> Regret | None:
    """``rule``'s regret over the runs of ``results`` that recorded what it needs; None if none did."""
    picks = [
        (picked, selected_accuracy(result, ORACLE), selected_accuracy(result, LAST))
        for result in results
        if (picked := selected_accuracy(result, rule)) is not None
    ]
    if not picks:
        return None
    gaps = [oracle - picked for picked, oracle, _ in picks]

    def share(test: Callable[[float, float], bool]) -> float:
        return 100.0 * sum(test(picked, last) for picked, _, last in picks) / len(picks)

    return Regret(
        rule, len(picks), statistics.fmean(picked for picked, _, _ in picks), statistics.fmean(gaps), max(gaps),
        share(lambda picked, last: picked > last), share(lambda picked, last: picked == last),
        share(lambda picked, last: picked < last),
    )
