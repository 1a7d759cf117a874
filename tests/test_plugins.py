"""Methods and YAMLs from outside the checkout: ``imports`` + ``TRANSFERBENCH_CONFIG_PATH``."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, run_cli
from transferbench.errors import UserError
from transferbench.plugins import load_plugins

PLUGIN = '''
"""A lab's own methods, registered from outside transferbench."""
import torch.nn.functional as F

from transferbench.methods import METHODS
from transferbench.methods.source_only import SourceOnly


@METHODS.register("scaled_source_only")
class ScaledSourceOnly(SourceOnly):
    def __init__(self, model, scale: float = 1.0) -> None:
        super().__init__(model)
        self.scale = scale

    def losses(self, source, target, progress):
        return {"classification": self.scale * F.cross_entropy(self.model(source.inputs).logits, source.labels)}


@METHODS.register("explodes")
class Explodes(SourceOnly):
    def losses(self, source, target, progress):
        raise RuntimeError("a bug in the lab's method")
'''


@pytest.fixture
def lab(tmp_path) -> Path:
    """A folder outside the checkout with a plugin module and its YAMLs."""
    (tmp_path / "lab_methods.py").write_text(textwrap.dedent(PLUGIN))
    (tmp_path / "conf" / "method").mkdir(parents=True)
    (tmp_path / "conf" / "method" / "scaled_source_only.yaml").write_text("name: scaled_source_only\nscale: 0.5\n")
    (tmp_path / "conf" / "method" / "explodes.yaml").write_text("name: explodes\n")
    return tmp_path


def lab_cli(lab: Path, *arguments: str):
    return run_cli(
        *arguments, "imports=[lab_methods]", "trainer.iterations=20", "trainer.eval_every=10",
        "trainer.progress=false", cwd=lab, env={"TRANSFERBENCH_CONFIG_PATH": str(lab / "conf"), "PYTHONPATH": str(lab)},
    )


def test_a_method_and_its_yaml_outside_the_checkout_run_from_any_folder(lab):
    result = lab_cli(lab, "method=scaled_source_only", "hydra.run.dir=run")
    assert result.returncode == 0, result.stderr
    results = json.loads((lab / "run" / "results.json").read_text())
    assert results["method"] == "scaled_source_only" and results["config"]["method"]["scale"] == 0.5
    assert results["config"]["imports"] == ["lab_methods"]


def test_an_unexpected_error_is_one_line_a_failed_record_and_a_logged_traceback(lab):
    result = lab_cli(lab, "method=explodes", "hydra.run.dir=run")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: unexpected RuntimeError: a bug in the lab's method; the traceback is in {lab / 'run' / 'train.log'}"
    ]
    results = json.loads((lab / "run" / "results.json").read_text())
    assert results["status"] == "failed" and results["error"] == "RuntimeError: a bug in the lab's method"
    log = (lab / "run" / "train.log").read_text()
    assert "Traceback (most recent call last)" in log and "raise RuntimeError" in log


def test_a_sweep_lists_an_unexpected_failure_as_failed_and_so_does_the_table(lab):
    result = lab_cli(lab, "-m", "method=scaled_source_only,explodes", "hydra.sweep.dir=sweep")
    assert result.returncode == 1
    failures = [line for line in result.stderr.splitlines() if line.startswith("1 run(s) failed:")]
    assert len(failures) == 1 and "method=explodes" in failures[0]
    assert failures[0].endswith("(RuntimeError: a bug in the lab's method)")
    assert "unfinished" not in result.stderr
    table = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "make_table.py"), "sweep"], cwd=lab, capture_output=True, text=True,
    )
    assert table.returncode == 0, table.stderr
    assert "method=explodes" in table.stdout + table.stderr and "RuntimeError" in table.stdout + table.stderr


def test_an_unimportable_plugin_is_one_line():
    with pytest.raises(UserError, match="cannot import 'no_such_lab' named by imports .*ModuleNotFoundError"):
        load_plugins(["no_such_lab"])
