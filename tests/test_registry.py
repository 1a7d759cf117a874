from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import pytest

from tests.conftest import student_overrides
from transferbench.config import CONF_DIR, group_choices
from transferbench.data import DOMAINS
from transferbench.errors import UserError
from transferbench.methods import METHODS
from transferbench.models import BACKBONES
from transferbench.registry import Registry

# transferbench/conf/experiment/ and search/ hold `+experiment=<name>` sweep and `+search=<name>` Optuna
# presets, not groups of the defaults list; tests/test_experiments.py composes them.
PRESETS = ("experiment", "search")
GROUPS = sorted(path.name for path in CONF_DIR.iterdir() if path.is_dir() and path.name not in PRESETS)


def test_duplicate_name_is_an_error():
    registry = Registry("thing")
    registry.register("a")(object)
    with pytest.raises(KeyError, match="registered twice"):
        registry.register("a")(object)


def test_unknown_name_lists_the_choices():
    registry = Registry("thing")
    registry.register("alpha")(object)
    registry.register("beta")(object)
    with pytest.raises(UserError, match="unknown thing 'gamma'; choose one of: alpha, beta"):
        registry.get("gamma")


def test_build_rejects_a_misspelt_option():
    registry = Registry("thing")
    registry.register("f")(lambda width=1: width)
    assert registry.build("f", width=3) == 3
    with pytest.raises(UserError, match="thing 'f'"):
        registry.build("f", widht=3)


def test_unknown_name_says_where_it_was_asked_for():
    registry = Registry("thing")
    registry.register("alpha")(object)
    with pytest.raises(UserError, match=r"unknown thing 'gamma' \(thing.name of x\); choose one of: alpha"):
        registry.get("gamma", "thing.name of x")


def typed(
    rate: float = 1.0, count: int = 1, flag: bool = False, label: str = "a",
    limit: float | None = None, choice: Optional[int | str] = None,
) -> dict[str, object]:
    return locals()


def untyped(
    items: Sequence[int] = (), path: Path = Path("."), anything: Any = None,
    mapping: Mapping[str, Any] | None = None, mixed: int | Sequence[int] = 1, bare=None,
) -> None:
    """Annotations that are not plain int/float/bool/str (or unions of them) are not checked."""


class Typed:
    def __init__(self, model: object, trade_off: float = 1.0) -> None:
        self.model, self.trade_off = model, trade_off


def with_domain(domain: str, rate: float = 1.0) -> str:
    return domain


@pytest.fixture
def registry() -> Registry:
    registry = Registry("thing", config_key="thing.options")
    for name, builder in (("typed", typed), ("untyped", untyped), ("class", Typed)):
        registry.register(name)(builder)
    registry.register("partial")(partial(with_domain, "amazon"))
    return registry


@pytest.mark.parametrize(
    "options",
    [{"rate": 2}, {"rate": 0.5}, {"count": 3}, {"flag": True}, {"label": "x"}, {"limit": None},
     {"limit": 1}, {"limit": 0.5}, {"choice": 2}, {"choice": "b"}, {"choice": None}],
)
def test_plain_annotations_accept_their_values(registry, options):
    assert registry.build("typed", **options) == typed(**options)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"rate": "abc"}, "rate must be a float, got 'abc'; check thing.options.rate"),
        ({"rate": True}, "rate must be a float, got True"),
        ({"rate": None}, "rate must be a float, got None"),
        ({"count": 1.5}, "count must be an int, got 1.5"),
        ({"count": False}, "count must be an int, got False"),
        ({"flag": 1}, "flag must be a bool, got 1"),
        ({"label": 3}, "label must be a string, got 3"),
        ({"limit": "x"}, "limit must be a float or None, got 'x'"),
        ({"choice": 0.5}, "choice must be an int or a string or None, got 0.5"),
    ],
)
def test_a_value_of_the_wrong_plain_type_is_one_line(registry, options, expected):
    with pytest.raises(UserError, match=f"^thing 'typed': {expected}"):
        registry.build("typed", **options)


def test_other_annotations_are_not_checked(registry):
    registry.build("untyped", items="abc", path=3, anything=object(), mapping=[1], mixed="x", bare=1.5)


def test_classes_and_partials_are_checked_by_their_signatures(registry):
    assert registry.build("class", "model", trade_off=2).trade_off == 2
    with pytest.raises(UserError, match="^thing 'class': trade_off must be a float, got 'abc'"):
        registry.build("class", "model", trade_off="abc")
    assert registry.build("partial", rate=2) == "amazon"
    with pytest.raises(UserError, match="^thing 'partial': rate must be a float, got 'fast'"):
        registry.build("partial", rate="fast")


def test_method_and_backbone_options_are_type_checked():
    with pytest.raises(UserError) as error:
        METHODS.check("dann", None, trade_off="abc")
    assert str(error.value) == "method 'dann': trade_off must be a float, got 'abc'; check method.trade_off"
    with pytest.raises(UserError) as error:
        BACKBONES.check("resnet18", input_shape=(3, 32, 32), pretrained="yes")
    assert str(error.value) == (
        "backbone 'resnet18': pretrained must be a bool, got 'yes'; check backbone.options.pretrained"
    )


def test_every_method_and_backbone_yaml_default_passes_the_checks(make_config):
    """Task YAMLs' domain options are checked where tests/data/test_task.py builds every task."""
    for method in group_choices("method"):
        cfg = make_config(f"method={method}", *student_overrides(method, "a/teacher/run")).method
        METHODS.check(cfg.name, None, **{key: value for key, value in cfg.items() if key != "name"})
    for backbone in group_choices("backbone"):
        cfg = make_config(f"backbone={backbone}").backbone
        BACKBONES.check(cfg.name, input_shape=(3, 32, 32), **dict(cfg.options or {}))


@pytest.mark.parametrize("group", GROUPS)
def test_every_yaml_of_every_group_composes(make_config, group):
    for choice in group_choices(group):
        cfg = make_config(f"{group}={choice}")
        assert cfg[group] is not None


@pytest.mark.parametrize(("group", "registry"), [("method", METHODS), ("backbone", BACKBONES)])
def test_registry_names_match_yaml_files_one_to_one(make_config, group, registry):
    names = {make_config(f"{group}={c}")[group].name: c for c in group_choices(group)}
    assert all(name == file for name, file in names.items())
    assert sorted(names) == registry.names()


def test_dataset_yamls_and_registered_domains_match(make_config):
    """Each registered domain is named by a dataset YAML: as its source or target, or in the
    ``domains`` of a YAML that holds several tasks (and then names each run after its pair), or
    by one of its related tasks, or as its unlabelled pool."""
    used = set()
    for choice in group_choices("dataset"):
        cfg = make_config(f"dataset={choice}")
        source, target = cfg.dataset.source, cfg.dataset.target
        domains = set(cfg.dataset.get("domains") or (source, target))
        assert {source, target} <= domains
        several = "domains" in cfg.dataset
        assert cfg.dataset.name == (f"{choice}_{source}_{target}" if several else choice)
        related = (cfg.dataset.get("related") or {}).values()
        used |= domains | {task.source for task in related} | {task.target for task in related}
        if cfg.dataset.get("unlabelled"):
            used.add(cfg.dataset.unlabelled.domain)
    assert sorted(used) == DOMAINS.names()
