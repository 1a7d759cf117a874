"""Full default-protocol training on MNIST→USPS (about 20 CPU minutes): ``pytest -m slow``. On the
whole source training set (``dataset.source_val=null``), the protocol the README's numbers were
measured on."""

import pytest

from transferbench.experiment import run

pytestmark = [pytest.mark.slow, pytest.mark.real_data]


def test_dann_reaches_90_on_mnist_usps_and_beats_source_only(make_config, data_root, tmp_path):
    task = ["dataset=mnist_usps", "dataset.source_val=null", f"data.root={data_root}"]
    dann = run(make_config("method=dann", *task), tmp_path / "dann")
    source_only = run(make_config("method=source_only", *task), tmp_path / "so")
    assert dann["target_acc"] >= 90.0
    assert dann["target_acc"] > source_only["target_acc"]
