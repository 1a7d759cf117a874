"""Model selection rules: which evaluation of a run to report, and the target accuracy there.

``last`` is the last checkpoint (the default everywhere); each validator of
``transferbench/validation/`` is a rule that picks the evaluation its score ranks best, without a
target label (``source_val`` is DomainBed's training-domain validation); ``oracle`` picks the best
target test accuracy, which peeks at the test labels and is labelled so wherever it appears.
"""

from __future__ import annotations

from typing import Any

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


def _best(records: list[dict[str, Any]], score) -> dict[str, Any]:
    best = max(score(record) for record in records)
    return [record for record in records if score(record) == best][-1]
