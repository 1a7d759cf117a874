"""The sweep presets in transferbench/conf/experiment/: they compose, sweep what they say, and change nothing else."""

import itertools
import math

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import DictConfig, OmegaConf

from tests.conftest import QUIET, REPO_ROOT, run_cli
from transferbench.analysis.references import load_references
from transferbench.config import CONF_DIR, group_choices
from transferbench.plugins import CONFIG_PATH_VARIABLE
from transferbench.schedules import adaptation_factor, inverse_decay

DIGITS = ["mnist_usps", "usps_mnist", "mnist_mnistm", "svhn_mnist"]
#: Methods that transfer from a trained network (a base network, a teacher) rather than adapt between domains.
NOT_ADAPTATION = {
    "finetune", "grow", "feature_extraction", "kd", "attention", "activation_transfer", "jacobian",
    "continual_finetune", "continual_finetune_fc", "continual_feature_extraction", "lwf", "lfl", "joint",
    "progressive_networks", "multitask",
    "attribute_prediction", "hinge_embedding", "distance_embedding", "conse", "self_taught",
}


def compose_with_hydra(*overrides: str) -> DictConfig:
    with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
        return compose("config", overrides=[*QUIET, *overrides], return_hydra_config=True)


def sweep(cfg: DictConfig) -> dict[str, list[str]]:
    """Each swept key's values, a ``glob(...)`` expanded over its group as the sweeper does."""
    with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
        parser = OverridesParser.create(config_loader=GlobalHydra.instance().config_loader())
        overrides = parser.parse_overrides([f"{key}={value}" for key, value in cfg.hydra.sweeper.params.items()])
        return {override.key_or_group: list(override.sweep_string_iterator()) for override in overrides}


def job(cfg: DictConfig) -> dict:
    """The resolved job config, without Hydra's own node."""
    container = OmegaConf.to_container(cfg)
    container.pop("hydra")
    return OmegaConf.to_container(OmegaConf.create(container), resolve=True)


def test_digits_sweeps_every_adaptation_method_over_the_four_tasks_and_three_seeds():
    cfg = compose_with_hydra("+experiment=digits")
    methods = sorted(set(group_choices("method")) - NOT_ADAPTATION)
    assert sweep(cfg) == {"method": methods, "dataset": DIGITS, "seed": ["0", "1", "2"]}
    assert cfg.hydra.sweep.dir == "multirun/digits"


@pytest.mark.parametrize("preset", ["digits", "office31"])
def test_a_new_method_yaml_joins_the_presets_without_an_edit(preset, tmp_path, monkeypatch):
    (tmp_path / "method").mkdir()
    (tmp_path / "method" / "my_adaptation.yaml").write_text("name: dann\n")
    monkeypatch.setenv(CONFIG_PATH_VARIABLE, str(tmp_path))
    assert "my_adaptation" in sweep(compose_with_hydra(f"+experiment={preset}"))["method"]


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
    assert params["method"] == sorted(set(group_choices("method")) - NOT_ADAPTATION - {"subspace_alignment", "train_on_target"})
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


@pytest.mark.parametrize(("dataset", "lr"), [("mnist_usps", 0.01), ("usps_mnist", 0.1)])
@pytest.mark.parametrize("iterations", [None, 5000])
def test_digits_tllib_is_tllibs_schedule_by_iteration(dataset, lr, iterations):
    length = [] if iterations is None else [f"trainer.iterations={iterations}"]
    cfg = compose_with_hydra("+experiment=digits_tllib", f"dataset={dataset}", "method=dann", *length)
    assert sweep(cfg) == {"method": ["source_only", "dann", "cdan"], "dataset": DIGITS[:2], "seed": ["0", "1", "2"]}
    resolved = job(cfg)
    total = iterations or 50000
    assert resolved["trainer"]["iterations"] == total and resolved["trainer"]["eval_every"] == 2500
    assert resolved["optimizer"]["lr"] == lr and resolved["optimizer"]["nesterov"]
    assert resolved["optimizer"]["weight_decay"] == 1e-3
    assert resolved["dataset"]["interpolation"] == "pil_bicubic"
    steps = (1000, 2500, 5000)
    tllib_lr = [(1 + 0.001 * t) ** -0.75 for t in steps]
    tllib_lambda = [2 / (1 + math.exp(-t / 1000)) - 1 for t in steps]
    assert [inverse_decay(t / total, resolved["scheduler"]["alpha"]) for t in steps] == pytest.approx(tllib_lr)
    assert [adaptation_factor(t / total, resolved["method"]["gamma"]) for t in steps] == pytest.approx(tllib_lambda)
    assert compose_with_hydra(f"dataset={dataset}", "method=dann").method.gamma == 10.0


def test_digits_paper_is_the_task_protocol_trained_for_100_epochs_of_mnistm():
    cfg = compose_with_hydra("+experiment=digits_paper", "dataset=mnist_mnistm", "method=dann", "seed=2")
    params = cfg.hydra.sweeper.params
    assert params == {"method": "source_only,subspace_alignment,dann,train_on_target",
                      "dataset": "mnist_mnistm", "seed": "0,1,2"}
    plain = compose_with_hydra(
        "dataset=mnist_mnistm", "method=dann", "seed=2", "dataset.source_val=null",
        "dataset.protocol.iterations=92100", "dataset.protocol.eval_every=9210",
    )
    assert job(cfg) == job(plain)
    assert job(cfg)["trainer"]["iterations"] == 100 * (59001 // 64)


def test_an_unknown_office31_task_reaches_the_domain_check():
    cfg = compose_with_hydra("+experiment=office31", "dataset.task=X_Y")
    assert (cfg.dataset.source, cfg.dataset.target) == ("X_Y", "X_Y")


def test_an_unknown_preset_is_one_line():
    result = run_cli("+experiment=nope", cwd=REPO_ROOT)
    assert result.returncode != 0
    assert result.stderr == "error: unknown experiment 'nope'; choose one of: digits, digits_paper, digits_tllib, office31\n"


@pytest.mark.parametrize("preset, method", [("dann", "dann"), ("dan", "dan"), ("trade_off_lr", "dann")])
def test_search_presets_run_optuna_over_trade_off_and_lr_maximising_the_objective(preset, method):
    cfg = compose_with_hydra(f"+search={preset}", "dataset=mnist_usps")
    sweeper = cfg.hydra.sweeper
    assert sweeper._target_.endswith("OptunaSweeper") and sweeper.direction == "maximize"
    assert set(sweeper.params) == {"method.trade_off", "optimizer.lr"}
    assert cfg.method.name == method and cfg.objective.name == "snd" and not cfg.objective.oracle
    assert sweeper.study_name == f"{method}_mnist_usps"
