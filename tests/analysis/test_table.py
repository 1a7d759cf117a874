import json
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT
from transferbench.analysis.formats import to_csv, to_latex, to_markdown
from transferbench.analysis.runs import collect_runs
from transferbench.analysis.table import build_table


def result(method, task, seed, acc, **options):
    return {
        "status": "completed", "method": method, "task": task, "seed": seed, "target_acc": acc,
        "oracle_target_acc": acc + 1, "source_acc": 99.0,
        "config": {"method": {"name": method, **options}},
    }


def write_run(folder, payload=None):
    (folder / ".hydra").mkdir(parents=True)
    if payload is not None:
        (folder / "results.json").write_text(json.dumps(payload))


def test_cells_are_mean_and_sample_std_over_seeds():
    table = build_table([result("dann", "a", s, acc) for s, acc in enumerate([90.0, 92.0, 94.0])])
    cell = table.cells["dann", "a"]
    assert cell.mean == pytest.approx(92.0) and cell.std == pytest.approx(2.0)
    assert "92.00 ± 2.00 (n=3)" in to_markdown(table)


def test_average_needs_every_task_and_source_only_comes_first():
    results = [result("dann", "a", 0, 90.0), result("dann", "b", 0, 80.0), result("source_only", "a", 0, 70.0)]
    table = build_table(results)
    assert table.rows == ["source_only", "dann"]
    assert table.average("dann") == pytest.approx(85.0)
    assert table.average("source_only") is None
    assert "| source_only | 70.00 (n=1) | — | — |" in to_markdown(table)


def test_runs_that_differ_in_method_options_get_their_own_rows():
    results = [result("dann", "a", 0, 90.0, trade_off=1.0), result("dann", "a", 0, 80.0, trade_off=0.1)]
    assert build_table(results).rows == ["dann (trade_off=0.1)", "dann (trade_off=1)"]


def test_a_whole_number_typed_on_the_command_line_equals_the_yamls_float():
    results = [result("dann", "a", 0, 90.0, gamma=10.0), result("dann", "a", 1, 92.0, gamma=10),
               result("dann", "a", 0, 80.0, gamma=5)]
    table = build_table(results)
    assert table.rows == ["dann (gamma=10)", "dann (gamma=5)"]
    assert table.cells["dann (gamma=10)", "a"].values == [90.0, 92.0]


def test_a_method_seed_option_that_follows_the_run_seed_does_not_split_a_row():
    results = [result("subspace_alignment", "a", s, 36.0 + s) for s in range(3)]
    for run in results:
        run["config"]["method"]["seed"] = run["seed"]
    assert build_table(results).rows == ["subspace_alignment"]


def test_method_options_that_follow_the_task_do_not_split_a_row():
    results = [
        result("dann", "a", 0, 90.0, layer="conv2"), result("dann", "b", 0, 80.0, layer="features"),
        result("dann", "b", 0, 70.0, layer="features", trade_off=0.1),
    ]
    assert build_table(results).rows == ["dann (trade_off=0.1)", "dann (trade_off=None)"]


def test_runs_that_differ_in_optimizer_or_backbone_settings_get_their_own_rows():
    results = [result("dann", "a", seed, 90.0 + seed) for seed in range(4)]
    for run, (decay, width) in zip(results, [(1e-3, 256), (0.0, 256), (1e-3, 256), (1e-3, 128)]):
        run["config"] |= {"optimizer": {"lr": 0.01, "weight_decay": decay}, "backbone": {"bottleneck_dim": width}}
    table = build_table(results)
    assert table.rows == [
        "dann (backbone.bottleneck_dim=128, optimizer.weight_decay=0.001)",
        "dann (backbone.bottleneck_dim=256, optimizer.weight_decay=0)",
        "dann (backbone.bottleneck_dim=256, optimizer.weight_decay=0.001)",
    ]
    assert table.cells["dann (backbone.bottleneck_dim=256, optimizer.weight_decay=0.001)", "a"].values == [90.0, 92.0]


def test_training_settings_that_follow_the_task_do_not_split_a_row():
    first, second = result("dann", "a", 0, 90.0), result("dann", "b", 0, 80.0)
    first["config"]["optimizer"], second["config"]["optimizer"] = {"weight_decay": 1e-3}, {"weight_decay": 0.0}
    assert build_table([first, second]).rows == ["dann"]


def test_students_pool_by_their_teachers_config_digest_not_by_its_folder():
    def student(seed, acc, folder, digest):
        run = result("kd", "mnist", seed, acc, teacher=folder, temperature=20.0)
        return run | {"provenance": {"teacher": {"run": folder, "config_digest": digest}}}

    same = [student(0, 98.0, "/a/teacher", "d1" * 16), student(1, 98.2, "/b/moved_teacher", "d1" * 16)]
    assert build_table(same).rows == ["kd"]
    other = student(2, 97.0, "/a/teacher", "e2" * 16)
    assert build_table([*same, other]).rows == ["kd (teacher=d1d1d1d1)", "kd (teacher=e2e2e2e2)"]


def test_a_row_names_the_task_of_the_network_it_learned_from():
    def arm(seed, task, digest):
        run = result("lwf", "fashion_mnist_b", seed, 80.0, old=f"/runs/{task}")
        return run | {"provenance": {"old": {"run": f"/runs/{task}", "config_digest": digest, "task": task}}}

    rows = build_table([arm(0, "fashion_mnist_a", "a1" * 16), arm(0, "mnist", "b2" * 16)]).rows
    assert rows == ["lwf (old=fashion_mnist_a@a1a1a1a1)", "lwf (old=mnist@b2b2b2b2)"]


def test_label_budgets_get_their_own_columns():
    results = [result("source_only", "fashion_mnist", 0, acc) for acc in (60.0, 80.0, 90.0)]
    for run, budget in zip(results, (10, None, 5)):
        run["config"]["dataset"] = {"name": "fashion_mnist", "labels_per_class": budget}
    assert build_table(results).tasks == [
        "fashion_mnist (dataset.labels_per_class=5)", "fashion_mnist (dataset.labels_per_class=10)",
        "fashion_mnist (dataset.labels_per_class=None)",
    ]


def test_runs_that_differ_in_normalisation_get_their_own_columns():
    plain, scaled = result("dann", "a", 0, 90.0), result("dann", "a", 0, 80.0)
    plain["config"]["dataset"] = {"name": "a", "std": [0.5], "protocol": {"lr": 0.01}}
    scaled["config"]["dataset"] = {"name": "a", "std": [1.0], "protocol": {"lr": 0.01}}
    assert build_table([plain, scaled]).tasks == ["a (dataset.std=[0.5])", "a (dataset.std=[1.0])"]


def test_runs_that_differ_in_dataset_options_or_length_get_their_own_columns():
    archive, generated, short = (result("dann", "a", 0, acc) for acc in (90.0, 80.0, 70.0))
    archive["config"]["dataset"] = {"options": {"source": "archive"}}
    generated["config"]["dataset"] = {"options": {"source": "generate"}}
    short["config"] |= {"dataset": {"options": {"source": "archive"}}, "trainer": {"iterations": 10}}
    archive["config"]["trainer"] = generated["config"]["trainer"] = {"iterations": 100}
    table = build_table([archive, generated, short])
    assert table.tasks == [
        "a (iterations=10, source=archive)", "a (iterations=100, source=archive)",
        "a (iterations=100, source=generate)",
    ]
    assert set(table.task_names.values()) == {"a"}


def test_oracle_metric_is_labelled_oracle():
    table = build_table([result("dann", "a", 0, 90.0)], metric="oracle_target_acc")
    assert table.cells["dann", "a"].mean == 91.0
    assert to_markdown(table).startswith("_oracle")
    assert "oracle" in to_latex(table).splitlines()[0]
    assert "oracle_target_acc" in to_csv(table)


def test_failed_and_unfinished_runs_are_collected(tmp_path):
    write_run(tmp_path / "ok", result("dann", "a", 0, 90.0))
    write_run(tmp_path / "bad", {"status": "failed", "error": "MNIST not found"})
    write_run(tmp_path / "killed")
    runs = collect_runs(tmp_path)
    assert [r["method"] for r in runs.completed] == ["dann"]
    assert runs.failed == [(tmp_path / "bad", "MNIST not found")]
    assert runs.unfinished == [tmp_path / "killed"]


def test_a_run_held_by_a_live_process_is_running_not_unfinished(tmp_path):
    write_run(tmp_path / "busy")
    write_run(tmp_path / "killed")
    (tmp_path / "killed" / ".lock").write_text("12345\n")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pathlib import Path; from transferbench.layout import exclusive_run_dir\n"
         "with exclusive_run_dir(Path(sys.argv[1])):\n    print('held', flush=True); sys.stdin.read()",
         str(tmp_path / "busy")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline() == "held\n"
        runs = collect_runs(tmp_path)
        assert runs.running == [tmp_path / "busy"] and runs.unfinished == [tmp_path / "killed"]
    finally:
        holder.communicate("", timeout=30)
    assert collect_runs(tmp_path).unfinished == [tmp_path / "busy", tmp_path / "killed"]


def test_make_table_script_prints_and_writes_all_formats(tmp_path):
    for seed, acc in enumerate([90.0, 92.0]):
        write_run(tmp_path / f"dann{seed}", result("dann", "mnist_usps", seed, acc))
    write_run(tmp_path / "killed")
    completed = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "make_table.py"), str(tmp_path), "--no-references"],
        capture_output=True, text=True, check=True,
    )
    assert "| dann | 91.00 ± 1.41 (n=2) | 91.00 |" in completed.stdout
    assert "Unfinished runs (1)" in completed.stdout
    assert {"table.md", "table.csv", "table.tex"} <= {p.name for p in tmp_path.iterdir()}


def test_make_table_without_results_fails_clearly(tmp_path):
    completed = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "make_table.py"), str(tmp_path)],
        capture_output=True, text=True,
    )
    assert completed.returncode == 1
    assert "no completed results.json" in completed.stderr


def test_cost_table_is_titled_by_its_unit_and_keeps_the_accuracy_table(tmp_path):
    for seed, seconds in enumerate([100.0, 140.0]):
        write_run(tmp_path / f"dann{seed}", {**result("dann", "mnist_usps", seed, 90.0), "wall_time_s": seconds})
    script = [sys.executable, str(REPO_ROOT / "scripts" / "make_table.py"), str(tmp_path)]
    subprocess.run(script, capture_output=True, text=True, check=True)
    costs = subprocess.run([*script, "--metric", "wall_time_s"], capture_output=True, text=True, check=True)
    assert costs.stdout.startswith("_wall time per run (s)")
    assert "| dann | 120.00 ± 28.28 (n=2) |" in costs.stdout
    assert "pub." not in costs.stdout
    assert "90.00" in (tmp_path / "table.md").read_text()
    assert "120.00" in (tmp_path / "table_wall_time_s.md").read_text()
