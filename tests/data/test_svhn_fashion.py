"""SVHN and Fashion-MNIST on stand-ins in torchvision's layouts, and the SVHN → MNIST task."""

import numpy as np
import pytest
import torch
from torchvision.datasets import svhn as torchvision_svhn

from transferbench.data import build_task
from transferbench.data.fashion import fashion_mnist
from transferbench.data.svhn import svhn
from transferbench.errors import UserError


def test_svhn_reads_the_mat_files_with_label_10_as_0(root, fake_svhn):
    written = fake_svhn()
    domain = svhn(root, download=False)
    for split, (images, labels) in zip((domain.train, domain.test), written.values()):
        assert split.inputs.dtype == torch.uint8 and split.inputs.shape == (len(labels), 3, 32, 32)
        assert torch.equal(split.inputs, torch.from_numpy(images.transpose(0, 3, 1, 2)))
        assert split.labels.tolist() == np.where(labels == 10, 0, labels).tolist()
        assert split.labels[0] == 0


def test_svhn_mnist_task_turns_gray_28px_mnist_into_32px_rgb(root, fake_svhn, fake_idx, make_config):
    fake_svhn()
    fake_idx()
    task = build_task(make_config("dataset=svhn_mnist").dataset, root, download=False)
    assert task.input_shape == (3, 32, 32)
    target = task.target.test.inputs
    assert target.shape == (6, 3, 32, 32) and target.dtype == torch.uint8
    assert torch.equal(target[:, 0], target[:, 1]) and torch.equal(target[:, 0], target[:, 2])
    assert task.normalize(target).shape == (6, 3, 32, 32)


def test_failed_svhn_download_is_one_line(root, monkeypatch):
    def offline(*_, **__):
        raise OSError("<urlopen error [Errno -3] Temporary failure in name resolution>")

    monkeypatch.setattr(torchvision_svhn, "download_url", offline)
    with pytest.raises(UserError) as error:
        svhn(root, download=True)
    message = str(error.value)
    assert "\n" not in message
    assert f"SVHN not found in {root / 'SVHN'} (its download failed: OSError" in message
    assert "download http://ufldl.stanford.edu/housenumbers/ and place train_32x32.mat, test_32x32.mat" in message


def test_fashion_mnist_reads_the_idx_files(root, fake_idx):
    written = fake_idx(dataset="Fashion-MNIST", folder="FashionMNIST", seed=4)
    domain = fashion_mnist(root, download=False)
    assert torch.equal(domain.train.inputs[:, 0], torch.from_numpy(written["train"][0]))
    assert domain.test.labels.tolist() == written["t10k"][1].tolist()


@pytest.mark.real_data
def test_real_fashion_mnist(data_root):
    domain = fashion_mnist(data_root, download=False)
    assert domain.train.inputs.shape == (60000, 1, 28, 28) and len(domain.test) == 10000
    assert domain.train.inputs.float().mean().div(255).item() == pytest.approx(0.2860, abs=1e-4)
