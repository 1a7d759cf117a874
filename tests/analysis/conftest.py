"""Two tiny finished moons runs (source_only and dann), trained once per session as the CLI would."""

from pathlib import Path

import pytest

from tests.conftest import QUIET
from transferbench.config import compose_config
from transferbench.experiment import run


@pytest.fixture(scope="session")
def moons_runs(tmp_path_factory) -> dict[str, Path]:
    """``{method: run dir}`` of 20-iteration runs on the moons, each with results.json and checkpoint.pt."""
    folder = tmp_path_factory.mktemp("moons")
    runs = {}
    for method in ("source_only", "dann"):
        cfg = compose_config(*QUIET, f"method={method}", "trainer.iterations=20", "trainer.eval_every=10")
        runs[method] = folder / method
        run(cfg, runs[method])
    return runs
