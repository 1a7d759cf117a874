"""The built wheel carries the configs and the Hydra plugin, and a non-editable install runs the
default and a real-data task from any folder."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from transferbench.config import CONF_DIR


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a copy of the project's files (a build leaves ``build/`` behind)."""
    source, folder = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, source)
    for package in ("transferbench", "hydra_plugins"):
        shutil.copytree(REPO_ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(folder), str(source)],
        check=True, capture_output=True, timeout=300,
    )
    [built] = folder.glob("transferbench-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """The wheel installed (not editable) into a folder of its own, put first on the path."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True, capture_output=True, timeout=300,
    )
    return target


def test_the_wheel_holds_every_config_and_the_search_path_plugin(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    configs = {f"transferbench/conf/{path.relative_to(CONF_DIR)}" for path in CONF_DIR.rglob("*.yaml")}
    assert configs and configs <= names
    assert "transferbench/conf/config.yaml" in names and "transferbench/analysis/references.yaml" in names
    assert "hydra_plugins/transferbench_searchpath.py" in names


def run_installed(installed: Path, cwd: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "transferbench", *arguments], cwd=cwd, capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": str(installed)},
    )


def test_the_installed_package_is_the_one_that_runs(installed, tmp_path):
    where = subprocess.run(
        [sys.executable, "-c", "import transferbench.config as c; print(c.CONF_DIR)"], cwd=tmp_path,
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(installed)}, check=True,
    )
    assert Path(where.stdout.strip()) == installed / "transferbench" / "conf"


def test_the_default_runs_from_another_folder(installed, tmp_path):
    result = run_installed(installed, tmp_path, "trainer.iterations=50", "trainer.eval_every=50", "trainer.progress=false")
    assert result.returncode == 0, result.stderr
    [results] = (tmp_path / "outputs").rglob("results.json")
    assert json.loads(results.read_text())["status"] == "completed"


@pytest.mark.real_data
def test_a_real_data_task_runs_from_another_folder(installed, tmp_path, data_root):
    result = run_installed(
        installed, tmp_path, "dataset=mnist_usps", f"data.root={data_root}", "trainer.iterations=20",
        "trainer.eval_every=20", "trainer.progress=false", "hydra.run.dir=run",
    )
    assert result.returncode == 0, result.stderr
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    assert results["task"] == "mnist_usps" and results["status"] == "completed"
