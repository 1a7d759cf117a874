"""MNIST and USPS read from the real files (../shared/datasets here, CI included)."""

import pytest
import torch

from transferbench.data import build_task
from transferbench.data.digits import mnist, usps
from transferbench.errors import UserError

pytestmark = pytest.mark.real_data


def test_mnist_and_usps_have_the_standard_splits(data_root):
    digits = mnist(data_root, download=False)
    assert digits.train.inputs.shape == (60000, 1, 28, 28) and len(digits.test) == 10000
    assert digits.train.inputs.dtype == torch.uint8
    postal = usps(data_root, download=False)
    assert postal.train.inputs.shape == (7291, 1, 16, 16) and len(postal.test) == 2007
    assert torch.bincount(postal.train.labels).tolist()[:3] == [1194, 1005, 731]


def test_mnist_usps_task_resizes_usps_to_28(make_config, data_root):
    cfg = make_config("dataset=mnist_usps")
    task = build_task(cfg.dataset, data_root, download=False)
    assert task.input_shape == (1, 28, 28)
    assert task.target.test.inputs.shape == (2007, 1, 28, 28)
    batch = task.normalize(task.target.test.inputs[:8])
    assert batch.dtype == torch.float32 and -1.0 <= batch.min() and batch.max() <= 1.0


def test_missing_files_without_download_name_the_folder(tmp_path):
    with pytest.raises(UserError, match=f"USPS not found in {tmp_path / 'USPS'}"):
        usps(tmp_path, download=False)
