"""The sweep presets in transferbench/conf/experiment/: they compose, sweep what they say, and change nothing else."""

import itertools

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig, OmegaConf

from tests.conftest import QUIET
from transferbench.analysis.references import load_references
from transferbench.cli import CONF_DIR, check_group_choices, group_choices

DIGITS = ["mnist_usps", "usps_mnist", "mnist_mnistm", "svhn_mnist"]
ADAPTATION_METHODS = [
    "source_only", "ddc", "dan", "jan", "jan_a", "coral", "dann", "cdan", "cdan_e", "domain_confusion",
    "adabn", "autodial",
]


def compose_with_hydra(*overrides: str) -> DictConfig:
    with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
        return compose("config", overrides=[*QUIET, *overrides], return_hydra_config=True)


def sweep(cfg: DictConfig) -> dict[str, list[str]]:
    return {key: str(values).split(",") for key, values in cfg.hydra.sweeper.params.items()}


def job(cfg: DictConfig) -> dict:
    """The resolved job config, without Hydra's own node."""
    container = OmegaConf.to_container(cfg)
    container.pop("hydra")
    return OmegaConf.to_container(OmegaConf.create(container), resolve=True)


def test_digits_sweeps_every_method_over_the_four_tasks_and_three_seeds():
    cfg = compose_with_hydra("+experiment=digits")
    assert sweep(cfg) == {"method": ADAPTATION_METHODS, "dataset": DIGITS, "seed": ["0", "1", "2"]}
    assert set(ADAPTATION_METHODS) <= set(group_choices("method"))
    assert cfg.hydra.sweep.dir == "multirun/digits"


@pytest.mark.parametrize("dataset", DIGITS)
def test_digits_jobs_are_the_plain_runs_of_each_task(dataset):
    """The preset only lists the grid: each job equals the run without it (each task's protocol)."""
    preset = compose_with_hydra("+experiment=digits", f"dataset={dataset}", "method=dann", "seed=1")
    plain = compose_with_hydra(f"dataset={dataset}", "method=dann", "seed=1")
    assert job(preset) == job(plain)


def test_office31_sweeps_the_six_ordered_pairs_with_resnet50():
    cfg = compose_with_hydra("+experiment=office31")
    params = sweep(cfg)
    assert set(params) == {"method", "dataset.task", "seed"}
    assert set(params["method"]) <= set(group_choices("method"))
    assert params["seed"] == ["0", "1", "2"]
    pairs = {tuple(cfg.dataset.tasks[task]) for task in params["dataset.task"]}
    assert len(params["dataset.task"]) == 6
    assert pairs == set(itertools.permutations(cfg.dataset.domains, 2))
    assert cfg.backbone.name == "resnet50"
    assert cfg.hydra.sweep.dir == "multirun/office31"


@pytest.mark.parametrize("task", ["A_W", "D_W", "W_D", "A_D", "D_A", "W_A"])
def test_office31_task_picks_source_and_target(task):
    preset = compose_with_hydra("+experiment=office31", f"dataset.task={task}", "method=jan")
    source, target = preset.dataset.tasks[task]
    assert source[0].upper() + "_" + target[0].upper() == task
    pair = [f"dataset.source={source}", f"dataset.target={target}"]
    plain = compose_with_hydra("dataset=office31", *pair, "method=jan")
    preset_job = job(preset)
    del preset_job["dataset"]["task"], preset_job["dataset"]["tasks"]
    assert preset_job == job(plain)
    assert preset.dataset.name in load_references()["jan_icml2017"].tasks


def test_an_unknown_office31_task_reaches_the_domain_check():
    cfg = compose_with_hydra("+experiment=office31", "dataset.task=X_Y")
    assert (cfg.dataset.source, cfg.dataset.target) == ("X_Y", "X_Y")


def test_the_cli_guard_accepts_presets_and_rejects_unknown_ones(capsys):
    check_group_choices(["-m", "+experiment=digits"])
    check_group_choices(["+experiment=office31", "dataset.task=D_A"])
    with pytest.raises(SystemExit) as exit_info:
        check_group_choices(["+experiment=nope"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == "error: unknown experiment 'nope'; choose one of: digits, office31\n"
