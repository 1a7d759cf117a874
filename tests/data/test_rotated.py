"""Rotated MNIST: per-image rotations as torchvision's, fixed angles, two label spaces."""

import pytest
import torch
import torchvision.transforms.v2.functional as TF

from transferbench.data import build_task
from transferbench.data.rotated import rotate_each, rotated_mnist
from transferbench.errors import UserError


def test_each_image_is_rotated_by_its_own_angle_as_torchvision_rotates():
    images = torch.randint(0, 256, (4, 1, 28, 28), dtype=torch.uint8)
    angles = torch.tensor([-45.0, -10.0, 0.0, 33.3])
    rotated = rotate_each(images, angles)
    for image, angle, ours in zip(images, angles, rotated):
        expected = TF.rotate(image, angle.item(), interpolation=TF.InterpolationMode.BILINEAR)
        assert (ours.int() - expected.int()).abs().max() <= 1


def test_class_and_angle_labels_share_the_same_fixed_images(fake_idx, root):
    digits = fake_idx()
    classes = rotated_mnist(root, download=False)
    angles = rotated_mnist(root, download=False, labels="angle", max_angle=30.0)
    again = rotated_mnist(root, download=False, labels="angle", max_angle=30.0)
    assert torch.equal(classes.train.labels, torch.as_tensor(digits["train"][1], dtype=torch.int64))
    assert angles.train.labels.dtype == torch.float32 and angles.train.labels.abs().max() <= 30.0
    assert torch.equal(angles.train.inputs, again.train.inputs)
    assert not torch.equal(angles.train.labels[: len(angles.test)], angles.test.labels)


def test_the_task_yaml_declares_the_angle_as_a_related_regression_task(fake_idx, root, make_config):
    fake_idx()
    task = build_task(make_config("dataset=rotated_mnist").dataset, root, download=False)
    angle = task.related["angle"]
    assert angle.regression and angle.metric == "mae" and not task.regression
    assert torch.equal(angle.source.train.inputs, task.source.train.inputs)
    assert angle.source.train.labels.abs().max() <= 45.0


def test_a_bad_label_space_is_one_line(fake_idx, root):
    fake_idx()
    with pytest.raises(UserError, match="dataset.options.labels=digit is not one of: class, angle"):
        rotated_mnist(root, download=False, labels="digit")
