"""The command line as a user meets it: bad names and missing data give one line and exit ≠ 0."""

import pytest

from tests.conftest import REPO_ROOT, run_cli
from transferbench.config import group_choices


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("method=nope", f"unknown method 'nope'; choose one of: {', '.join(group_choices('method'))}"),
        ("dataset=nope", "unknown task (dataset=) 'nope'; choose one of: "),
        ("backbone=nope", "unknown backbone 'nope'; choose one of: "),
    ],
)
def test_unknown_group_choice_is_one_line(argument, expected):
    result = run_cli(argument, cwd=REPO_ROOT)
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert expected in result.stderr


def test_unknown_choice_inside_a_sweep_is_caught():
    result = run_cli("-m", "method=source_only,nope", cwd=REPO_ROOT)
    assert result.returncode != 0
    assert "unknown method 'nope'" in result.stderr


def test_unknown_registered_domain_is_one_line(tmp_path):
    result = run_cli("dataset.source=nope", f"hydra.run.dir={tmp_path}", cwd=REPO_ROOT)
    assert result.returncode != 0
    assert "unknown domain 'nope' (dataset.source of task moons); choose one of: " in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("download", ["false", "true"])
def test_missing_mnist_says_how_to_obtain_it(tmp_path, download):
    (tmp_path / "empty").mkdir()
    result = run_cli(
        "dataset=mnist_usps", f"data.root={tmp_path / 'empty'}", f"data.download={download}",
        f"hydra.run.dir={tmp_path / 'run'}", "trainer.progress=false", cwd=REPO_ROOT,
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "MNIST not found in" in lines[0] and "download" in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("trainer.iterations=0", "trainer.iterations must be a positive integer, got 0"),
        ("trainer.batch_size=many", "trainer.batch_size: Value 'many' of type 'str' could not be converted to Integer"),
        ("optimizer.lr=-1", "optimizer.lr must be a positive number, got -1"),
        ("+method.trade_of=2", "method 'dann': got an unexpected keyword argument 'trade_of'"),
    ],
)
def test_invalid_value_is_one_line(tmp_path, argument, expected):
    result = run_cli(argument, f"hydra.run.dir={tmp_path}", cwd=REPO_ROOT)
    assert result.returncode != 0
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_nan_loss_is_one_line_and_keeps_nothing_half_written(tmp_path):
    result = run_cli("optimizer.lr=1e30", f"hydra.run.dir={tmp_path}", "trainer.progress=false", cwd=REPO_ROOT)
    assert result.returncode != 0
    assert "became nan" in result.stderr.lower() or "became inf" in result.stderr.lower()
    assert "Traceback" not in result.stderr
    assert '"status": "failed"' in (tmp_path / "results.json").read_text()
