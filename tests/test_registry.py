import pytest

from transferbench.cli import CONF_DIR, group_choices
from transferbench.data import DATASETS
from transferbench.errors import UserError
from transferbench.methods import METHODS
from transferbench.models import BACKBONES
from transferbench.registry import Registry

# transferbench/conf/experiment/ holds `+experiment=<name>` sweep presets, not a group of the defaults list;
# tests/test_experiments.py composes them.
GROUPS = sorted(path.name for path in CONF_DIR.iterdir() if path.is_dir() and path.name != "experiment")


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
    ``domains`` of a YAML that holds several tasks (and then names each run after its pair)."""
    used = set()
    for choice in group_choices("dataset"):
        cfg = make_config(f"dataset={choice}")
        source, target = cfg.dataset.source, cfg.dataset.target
        domains = set(cfg.dataset.get("domains") or (source, target))
        assert {source, target} <= domains
        several = "domains" in cfg.dataset
        assert cfg.dataset.name == (f"{choice}_{source}_{target}" if several else choice)
        used |= domains
    assert sorted(used) == DATASETS.names()
