"""The GPU speed options that change how, not what, a run computes: channels-last memory order
(trainer.channels_last) and torch.compile (trainer.compile)."""

import pytest
import torch

from transferbench.config import config_digest
from transferbench.experiment import Experiment, run

# Random 32x32 images through the digits LeNet: a convnet without data on disk.
IMAGES = [
    "dataset=synthetic_office31", "backbone=lenet", "method=source_only", "dataset.image_size=32",
    "dataset.options.side=32", "dataset.options.train=8", "dataset.options.test=4",
    "dataset.augment.train_crop=28", "dataset.augment.eval_crop=28",
]


def network_input_and_first_convolution(experiment: Experiment) -> tuple[torch.Tensor, torch.Tensor]:
    inputs = experiment.task.eval_inputs(experiment.task.target.test.inputs)
    convolution = next(module for module in experiment.method.modules() if isinstance(module, torch.nn.Conv2d))
    return inputs, convolution.weight


@pytest.mark.parametrize("channels_last", [True, False])
def test_channels_last_lays_out_images_and_weights_alike_and_predicts_the_same(make_config, channels_last):
    chosen = Experiment.build(make_config(*IMAGES, f"trainer.channels_last={channels_last}"))
    inputs, weight = network_input_and_first_convolution(chosen)
    for tensor in (inputs, weight):
        assert tensor.is_contiguous(memory_format=torch.channels_last) is channels_last
        assert tensor.is_contiguous() is not channels_last
    default = Experiment.build(make_config(*IMAGES))
    predictions = [experiment.method.eval().predict(inputs) for experiment in (chosen, default)]
    torch.testing.assert_close(*predictions, atol=1e-5, rtol=1e-5)


def test_speed_options_leave_the_config_digest_alone(make_config):
    plain = config_digest(make_config())
    assert config_digest(make_config("trainer.channels_last=false", "trainer.compile=true")) == plain
    assert config_digest(make_config("trainer.processes=2")) == plain


def test_a_compiled_run_trains_to_the_numbers_of_an_uncompiled_one(make_config, tmp_path):
    short = ["trainer.iterations=20", "trainer.eval_every=10"]
    plain = run(make_config(*short), tmp_path / "plain")
    compiled = run(make_config(*short, "trainer.compile=true"), tmp_path / "compiled")
    for mine, theirs in zip(compiled["history"], plain["history"], strict=True):
        assert mine["target_acc"] == pytest.approx(theirs["target_acc"], abs=0.5)
        assert mine["losses"] == pytest.approx(theirs["losses"], rel=1e-3)
