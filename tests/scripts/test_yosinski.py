"""The Yosinski experiment: the sweeps the driver launches, and the figure drawn from their runs."""

import json
import subprocess
import sys

from tests.conftest import REPO_ROOT
from tests.scripts import load_script

PLOT = REPO_ROOT / "scripts" / "plot_transfer_curve.py"


def test_driver_trains_the_bases_then_every_condition_from_them(tmp_path, monkeypatch):
    driver, commands = load_script("yosinski"), []

    def record(command):
        commands.append(command)
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr("transferbench.sweep.subprocess.run", record)
    assert driver.main(["--out", str(tmp_path), "--seeds", "0,1", "trainer.iterations=5"]) == 0
    base, from_b, from_a = (command[3:] for command in commands)
    assert {"method=source_only", "dataset=fashion_mnist_a,fashion_mnist_b", "seed=0,1", "trainer.iterations=5",
            f"hydra.sweep.dir={tmp_path / 'base'}"} <= set(base)
    for command, half in ((from_b, "b"), (from_a, "a")):
        assert {"method=finetune", "dataset=fashion_mnist_b", "method.copy=1,2,3,4,5", "method.copied=freeze,finetune",
                f"backbone.weights={tmp_path / 'base' / f'fashion_mnist_{half}'}/seed${{seed}}",
                "trainer.iterations=5"} <= set(command)


def write_run(folder, task, accuracy, backbone_weights=None, copy=None, copied=None):
    folder.mkdir(parents=True)
    config = {"backbone": {"name": "convnet", "weights": backbone_weights},
              "method": {"name": "finetune" if copy else "source_only", "copy": copy, "copied": copied}}
    results = {"status": "completed", "method": config["method"]["name"], "task": task, "seed": 0,
               "target_acc": accuracy, "source_acc": accuracy, "oracle_target_acc": accuracy, "config": config}
    (folder / "results.json").write_text(json.dumps(results))


def test_plot_sorts_runs_into_the_four_conditions_and_base_b(tmp_path):
    for seed, accuracy in ((0, 80.0), (1, 82.0)):
        write_run(tmp_path / f"base/b{seed}", "half_b", accuracy)
        write_run(tmp_path / f"base/a{seed}", "half_a", 90.0)
        for base in ("a", "b"):
            for n in (1, 2):
                for copied, bonus in (("freeze", 0.0), ("finetune", 5.0)):
                    write_run(tmp_path / f"transfer/{base}{n}{copied}{seed}", "half_b", accuracy + bonus - n,
                              str(tmp_path / f"base/{base}{seed}"), n, copied)
    completed = subprocess.run(
        [sys.executable, str(PLOT), str(tmp_path), "--out", str(tmp_path / "f.png")],
        capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "f.png").stat().st_size > 10_000
    lines = completed.stdout.splitlines()
    assert "| BnB | 80.00 ± 1.41 (2) | 79.00 ± 1.41 (2) |" in lines
    assert "| AnB+ | 85.00 ± 1.41 (2) | 84.00 ± 1.41 (2) |" in lines
    assert "baseB: 81.00 ± 1.41 (2)" in lines


def test_plot_without_transfer_runs_fails_clearly(tmp_path):
    write_run(tmp_path / "base", "half_b", 80.0)
    completed = subprocess.run(
        [sys.executable, str(PLOT), str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 1
    assert "expected finetune runs with backbone.weights to one task, found: none" in completed.stderr
