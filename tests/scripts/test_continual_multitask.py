"""The continual and multi-task driver: old networks first, then every arm from them."""

import pytest

from tests.scripts import load_script


@pytest.mark.parametrize("experiment", ["lwf", "progressive"])
def test_every_arm_starts_from_a_seed_zero_old_network(experiment, tmp_path, launched):
    driver = load_script("continual_multitask")
    assert driver.main([experiment, "--out", str(tmp_path), "--seeds", "0,1", "trainer.iterations=5"]) == 0
    old, *arms = launched
    assert "method=source_only" in old and "seed=0" in old and "dataset=fashion_mnist_a,mnist" in old
    olds = {arg for command in arms for arg in command if arg.startswith("method.old=")}
    assert olds <= {f"method.old={tmp_path}/old/{task}/seed0" for task in ("fashion_mnist_a", "mnist")}
    assert olds and all("seed=0,1" in command and "trainer.iterations=5" in command for command in arms)


def test_uncertainty_runs_every_weighting_arm(tmp_path, launched):
    assert load_script("continual_multitask").main(["uncertainty", "--out", str(tmp_path)]) == 0
    assert len(launched) == 8 and all("dataset=rotated_mnist" in command for command in launched)
    assert sum("method.weighting=uncertainty" in command for command in launched) == 1


def test_selective_fine_tunes_from_the_pool_network(tmp_path, launched):
    assert load_script("continual_multitask").main(["selective", "--out", str(tmp_path)]) == 0
    pool, *arms = launched
    assert "method.weights={main:0}" in pool
    assert any(f"backbone.weights={tmp_path}/pool_network/seed0" in command for command in arms)
    rules = {arg for command in arms for arg in command if "selection.rule=" in arg}
    assert {rule.split("=")[1] for rule in rules} == {"all", "random", "gabor"}
