"""The knowledge-transfer driver: teachers first, then students of the seed-0 teacher."""

import json
import subprocess

import pytest

from tests.scripts import load_script


def sweep_dir(command):
    return next(arg.split("=", 1)[1] for arg in command if arg.startswith("hydra.sweep.dir="))


@pytest.mark.parametrize("experiment", ["hinton", "attention", "few_shot"])
def test_students_learn_from_the_seed_zero_teacher_of_their_experiment(experiment, tmp_path, launched):
    driver = load_script("knowledge_transfer")
    assert driver.main([experiment, "--out", str(tmp_path), "--seeds", "0,1", "trainer.iterations=5"]) == 0
    teachers, *students = launched
    assert "method=source_only" in teachers and sweep_dir(teachers).endswith("teachers")
    teacher = f"method.teacher={sweep_dir(teachers)}/seed0"
    learners = [command for command in students if any(arg.startswith("method.teacher=") for arg in command)]
    assert learners and all(teacher in command for command in learners)
    assert all("seed=0,1" in command and "trainer.iterations=5" in command for command in students)
    assert any("method=source_only" in command for command in students)


def test_a_failed_student_sweep_does_not_stop_the_other_arms(tmp_path, monkeypatch):
    commands = []

    def fail_source_only_students(command):
        commands.append(command)
        failed = "method=source_only" in command and "teachers" not in str(command)
        return subprocess.CompletedProcess(command, 1 if failed else 0)

    monkeypatch.setattr("transferbench.sweep.subprocess.run", fail_source_only_students)
    assert load_script("knowledge_transfer").main(["attention", "--out", str(tmp_path)]) == 1
    assert len(commands) == 6


def test_the_few_shot_sweep_covers_every_label_budget_and_arm(tmp_path, launched):
    load_script("knowledge_transfer").main(["few_shot", "--out", str(tmp_path)])
    _, ce, *jacobian = launched
    assert "dataset.labels_per_class=1,5,10,50,100,null" in ce
    arms = {(a.split("=")[1], j.split("=")[1]) for command in jacobian
            for a in command if a.startswith("method.activation_weight=")
            for j in command if j.startswith("method.jacobian_weight=")}
    assert arms == {("1", "0,1"), ("0", "1")}


def test_label_budget_plot_orders_budgets_and_keeps_methods_apart(tmp_path, capsys):
    for method, budget, seed, accuracy in [
        ("source_only", 10, 0, 70.0), ("source_only", 10, 1, 72.0), ("source_only", 5, 0, 60.0),
        ("source_only", None, 0, 90.0), ("jacobian", 10, 0, 75.0),
    ]:
        folder = tmp_path / f"{method}_{budget}_{seed}"
        folder.mkdir()
        config = {"method": {"name": method}, "dataset": {"name": "fashion_mnist", "labels_per_class": budget}}
        (folder / "results.json").write_text(json.dumps(
            {"status": "completed", "method": method, "task": "fashion_mnist", "seed": seed,
             "target_acc": accuracy, "config": config}))
    plot = load_script("plot_label_budget")
    assert plot.main([str(tmp_path), "--out", str(tmp_path / "curve.png")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "| method | 5 | 10 | all |"
    assert "| source_only | 60.00 (n=1) | 71.00 ± 1.41 (n=2) | 90.00 (n=1) |" in lines
    assert "| jacobian | — | 75.00 (n=1) | — |" in lines
    assert (tmp_path / "curve.png").stat().st_size > 10_000
