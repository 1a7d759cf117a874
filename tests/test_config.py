"""The config digest that decides whether a finished run is this run: keys added later count only
when they change what a run trains."""

import copy

from transferbench.config import LATER_DEFAULTS, config_digest, digest, resolved


def without_later_keys(config):
    """A resolved config as runs made before 2026-12-05 stored it."""
    old = copy.deepcopy(config)
    for group, key in LATER_DEFAULTS:
        old.get(group, {}).pop(key, None)
    old.pop("objective")
    return old


def test_a_run_from_before_the_new_keys_is_the_same_run(make_config):
    cfg = make_config()
    assert digest(without_later_keys(resolved(cfg))) == config_digest(cfg)


def test_a_new_key_away_from_its_old_value_is_another_run(make_config):
    old = digest(without_later_keys(resolved(make_config())))
    assert config_digest(make_config("trainer.precision=bf16")) != old
    assert config_digest(make_config("trainer.validators=[im]")) != old
    assert config_digest(make_config("objective.name=target_acc", "objective.oracle=true")) != old
