"""What ``python -m transferbench`` returns to a sweeper that optimises (Hydra's Optuna sweeper,
``+search=<method>``): a validator's score of the last checkpoint, never target accuracy unless
the user says the search is an oracle.

Scores are oriented so that larger is better (a risk such as DEV's is negated), so every search
preset maximises. ``objective.name=target_acc`` peeks at the target test labels: it is refused
unless ``objective.oracle=true``, and such runs are labelled oracle in tables.
"""

from __future__ import annotations

import logging
from typing import Any, Mapping

from transferbench.errors import UserError
from transferbench.validation import VALIDATORS

log = logging.getLogger(__name__)
#: The objectives that read target test labels.
TARGET_OBJECTIVES = ("target_acc", "oracle_target_acc")


def check_objective(cfg: Mapping[str, Any], optimizing: bool = True) -> None:
    """Before anything trains, refuse an objective that peeks at target labels without ``oracle``;
    and, when a sweeper will read the objective (``optimizing``), a validator the run will not
    score (not in ``trainer.validators``, or one that needs a source validation split on a task
    without ``dataset.source_val``)."""
    objective, validators = cfg["objective"], list(cfg["trainer"]["validators"])
    name = objective["name"]
    if name in TARGET_OBJECTIVES:
        if not objective["oracle"]:
            raise UserError(
                f"objective.name={name} selects hyper-parameters on the target test labels; use a validator "
                f"({', '.join(VALIDATORS.names())}), or set objective.oracle=true to run an oracle search "
                "(its runs are labelled oracle)"
            )
        log.warning("objective.name=%s, objective.oracle=true: an oracle search on the target test labels", name)
        return
    if not optimizing:
        return
    validator = VALIDATORS.get(name, "objective.name")
    if validator.needs_source_val and not cfg["dataset"].get("source_val"):
        raise UserError(
            f"objective.name={name} needs a source validation split, which task {cfg['dataset']['name']} "
            "does not hold out; set dataset.source_val (e.g. +dataset.source_val=0.1), or choose im or snd"
        )
    if name not in validators:
        raise UserError(
            f"objective.name={name} is not among trainer.validators ({', '.join(validators) or 'none'}); "
            f"add it: trainer.validators=[{', '.join([*validators, name])}]"
        )


def objective_value(results: Mapping[str, Any], objective: Mapping[str, Any]) -> float | None:
    """The objective's value for a finished run, larger is better; None for a run finished
    before validators were recorded."""
    name = objective["name"]
    if name in TARGET_OBJECTIVES:
        return float(results[name])
    scores = results.get("validators") or {}
    if name not in scores:
        return None
    sign = 1.0 if VALIDATORS.get(name).higher_is_better else -1.0
    return sign * float(scores[name])


def is_oracle(config: Mapping[str, Any]) -> bool:
    """Whether a run's config (results.json's ``config``) asked for an oracle objective."""
    objective = config.get("objective") or {}
    return bool(objective.get("oracle")) and objective.get("name") in TARGET_OBJECTIVES
