"""Batched on-device augmentation: torchvision's crop statistics, exact resampling, flips, shifts, RNG."""

import pytest
import torch
import torchvision.transforms.v2.functional as TF
from torchvision.transforms import RandomResizedCrop as RandomResizedCropReference

from transferbench.data.augment import (
    RATIO, SCALE, RandomResizedCrop, RandomShift, build_augmentation, identity, random_boxes,
    random_horizontal_flip, resized_crops,
)
from transferbench.errors import UserError


def images(count=8, side=256, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (count, 3, side, side), dtype=torch.uint8, generator=generator)


def test_boxes_lie_inside_and_follow_torchvision_statistics():
    torch.manual_seed(0)
    top, left, height, width = random_boxes(4000, 256, 256, torch.device("cpu")).unbind(dim=1)
    assert (top >= 0).all() and (left >= 0).all()
    assert (top + height <= 256).all() and (left + width <= 256).all()
    area, aspect = height * width / 256**2, width / height
    assert area.min() > SCALE[0] - 0.01 and area.max() <= SCALE[1]
    assert aspect.min() > RATIO[0] - 0.05 and aspect.max() < RATIO[1] + 0.05
    image = torch.zeros(3, 256, 256)
    reference = torch.tensor(
        [RandomResizedCropReference.get_params(image, SCALE, RATIO) for _ in range(1000)], dtype=torch.float32
    )
    assert abs(area.mean() - (reference[:, 2] * reference[:, 3] / 256**2).mean()) < 0.03
    assert abs(top.mean() - reference[:, 0].mean()) < 8 and abs(left.mean() - reference[:, 1].mean()) < 8


def test_resampling_matches_torchvision_resized_crop():
    batch = images(3)
    boxes = torch.tensor([[0, 0, 256, 256], [10, 30, 100, 180], [200, 5, 56, 40]])
    crops = resized_crops(batch, boxes, 224)
    for image, box, crop in zip(batch, boxes.tolist(), crops):
        expected = TF.resized_crop(image, *box, [224, 224], antialias=False)
        assert (crop.int() - expected.int()).abs().max() <= 1


def test_random_resized_crop_is_random_and_repeats_from_the_saved_rng_state():
    batch, crop = images(), RandomResizedCrop(224)
    saved = torch.get_rng_state()
    first, second = crop(batch), crop(batch)
    assert first.shape == (8, 3, 224, 224) and first.dtype == torch.uint8
    assert not torch.equal(first, second)
    torch.set_rng_state(saved)
    assert torch.equal(crop(batch), first)


def test_flip_mirrors_about_half_of_the_images():
    batch = images(64, side=8)
    flipped = random_horizontal_flip(batch)
    mirrored = [torch.equal(out, image.flip(-1)) for out, image in zip(flipped, batch)]
    assert all(m or torch.equal(out, image) for m, out, image in zip(mirrored, flipped, batch))
    assert 16 < sum(mirrored) < 48


def test_without_augment_keys_batches_pass_unchanged():
    assert build_augmentation(None, 28) == (identity, identity)
    unset = {"shift": 0, "train_crop": None, "flip": False, "eval_crop": None}
    assert build_augmentation(unset, 28) == (identity, identity)


def test_eval_crop_is_the_centre_and_may_not_exceed_the_images():
    batch = images(2, side=10)
    _, prepare = build_augmentation({"eval_crop": 6}, 10)
    assert torch.equal(prepare(batch), batch[..., 2:8, 2:8])
    with pytest.raises(UserError, match="eval_crop=224 exceeds the 64-pixel images"):
        build_augmentation({"eval_crop": 224}, 64)


@pytest.mark.parametrize("flip", [False, True])
def test_train_augmentation_crops_then_flips_when_asked(flip):
    augment, _ = build_augmentation({"train_crop": 32, "flip": flip}, 64)
    torch.manual_seed(1)
    gradient = (torch.arange(64, dtype=torch.uint8) * 4).expand(16, 3, 64, 64)
    steps = augment(gradient).int().diff(dim=-1).flatten(1)
    increasing, decreasing = (steps >= 0).all(dim=1), (steps <= 0).all(dim=1)
    assert (increasing | decreasing).all() and increasing.any()
    assert decreasing.any() == flip


def shifted(image, dy, dx):
    """``image`` moved down by ``dy`` and right by ``dx`` pixels, zeros filled in (the reference)."""
    out = torch.zeros_like(image)
    height, width = image.shape[-2:]
    out[..., max(dy, 0):height + min(dy, 0), max(dx, 0):width + min(dx, 0)] = (
        image[..., max(-dy, 0):height - max(dy, 0), max(-dx, 0):width - max(dx, 0)]
    )
    return out


def test_shift_moves_each_image_by_whole_pixels_within_range():
    torch.manual_seed(0)
    batch = images(200, side=7) | 1  # no zero pixels: the zero fill is visible
    augment, _ = build_augmentation({"shift": 2}, 7)
    out = augment(batch)
    assert out.shape == batch.shape and out.dtype == torch.uint8
    offsets = range(-2, 3)
    found = [[(dy, dx) for dy in offsets for dx in offsets if torch.equal(o, shifted(image, dy, dx))]
             for o, image in zip(out, batch)]
    assert all(len(match) == 1 for match in found)
    assert {match[0] for match in found} == {(dy, dx) for dy in offsets for dx in offsets}


def test_shift_zero_is_the_identity_and_shifts_repeat_from_the_saved_rng_state():
    batch = images(4, side=7)
    assert torch.equal(RandomShift(0)(batch), batch)
    shift, saved = RandomShift(3), torch.get_rng_state()
    first, second = shift(batch), shift(batch)
    assert not torch.equal(first, second)
    torch.set_rng_state(saved)
    assert torch.equal(shift(batch), first)


@pytest.mark.parametrize("shift", [-1, 28, 1.5, "2", True])
def test_shift_must_be_whole_pixels_inside_the_image(shift):
    with pytest.raises(UserError) as error:
        build_augmentation({"shift": shift}, 28)
    assert str(error.value) == f"dataset.augment.shift={shift!r} must be a whole number of pixels in 0..27"


@pytest.mark.parametrize("override", ["+dataset.augment.shift=2", "+dataset.augment={shift:2}"])
def test_shift_is_added_from_the_command_line(make_config, override):
    cfg = make_config("dataset=mnist", override).dataset
    augment, prepare = build_augmentation(cfg.augment, cfg.image_size)
    assert isinstance(augment.transforms[0], RandomShift) and augment.transforms[0].shift == 2
    assert prepare is identity
