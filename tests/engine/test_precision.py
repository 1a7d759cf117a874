"""Mixed precision (trainer.precision): bf16 and fp16 autocast train on CPU to the numbers of fp32,
and the loss math that needs fp32 keeps it."""

import pytest
import torch

from transferbench.errors import UserError
from transferbench.experiment import run
from transferbench.losses import MultipleKernelMMD, coral_loss, mean_entropy, squared_distances

SHORT = ["trainer.iterations=300", "trainer.eval_every=100"]


@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_a_mixed_precision_run_reaches_the_accuracy_of_fp32(make_config, tmp_path, precision):
    fp32 = run(make_config(*SHORT), tmp_path / "fp32")
    mixed = run(make_config(*SHORT, f"trainer.precision={precision}"), tmp_path / precision)
    assert abs(mixed["target_acc"] - fp32["target_acc"]) < 5.0
    assert mixed["target_acc"] != fp32["target_acc"] or mixed["history"] != fp32["history"]


def test_an_fp16_run_checkpoints_its_gradient_scaler(make_config, tmp_path):
    run(make_config("trainer.iterations=20", "trainer.eval_every=10", "trainer.precision=fp16"), tmp_path)
    checkpoint = torch.load(tmp_path / "checkpoint.pt", weights_only=False)
    assert checkpoint["grad_scaler"]["scale"] > 0


def test_an_unknown_precision_is_one_line(make_config, tmp_path):
    with pytest.raises(UserError, match="trainer.precision='fp8' is not one of: fp32, bf16, fp16"):
        run(make_config("trainer.iterations=10", "trainer.precision=fp8"), tmp_path)


def test_kernels_covariances_and_entropies_stay_fp32_under_autocast():
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(64, 32, generator=generator) + 20.0  # large norms: bf16 distances would cancel
    y = torch.randn(64, 32, generator=generator) + 20.0
    exact = squared_distances(x, y)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert (x @ y.T).dtype == torch.bfloat16
        inside = squared_distances(x.bfloat16(), y.bfloat16())
        mmd = MultipleKernelMMD()(x, y)
        coral = coral_loss(x, y)
        entropy = mean_entropy(x)
    assert inside.dtype == mmd.dtype == coral.dtype == entropy.dtype == torch.float32
    assert torch.allclose(inside, squared_distances(x.bfloat16().float(), y.bfloat16().float()))
    assert torch.allclose(mmd, MultipleKernelMMD()(x, y))
    assert exact.dtype == torch.float32
