"""Batched image augmentation on the training device: the ImageNet recipe for photo datasets, and
random translations for digits.

Training batches get a random resized crop and a horizontal flip per image, evaluation batches a
center crop, as TLlib trains on Office-31 (``RandomResizedCrop(224)``, ``RandomHorizontalFlip()``;
``CenterCrop(224)`` at test time). ``shift`` translates each training image by a few whole pixels,
as Hinton et al. (arXiv:1503.02531, §3) jitter MNIST "by up to 2 pixels in any direction". All act
on uint8 ``(N, C, H, W)`` batches already on the device, before normalisation. Random draws come
from torch's global generator of that device, whose state every checkpoint saves, so a resumed run
augments exactly as an uninterrupted one.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping

import torch
import torch.nn.functional as F
from torchvision.transforms import v2

from transferbench.errors import UserError

Transform = Callable[[torch.Tensor], torch.Tensor]

#: torchvision's ``RandomResizedCrop`` defaults (the Inception crop, Szegedy et al., CVPR 2015).
SCALE = (0.08, 1.0)
RATIO = (3 / 4, 4 / 3)
TRIES = 10


def identity(inputs: torch.Tensor) -> torch.Tensor:
    return inputs


def random_boxes(count: int, height: int, width: int, device: torch.device) -> torch.Tensor:
    """``(count, 4)`` crop boxes ``(top, left, height, width)`` drawn as torchvision's
    ``RandomResizedCrop.get_params``: area fraction ~ U(SCALE), log aspect ratio ~ U(log RATIO),
    the first of ``TRIES`` draws that fits, else the whole image (its fallback for images whose
    aspect ratio lies within RATIO, as square ones do); the corner is uniform over valid places."""
    area = height * width * torch.empty(count, TRIES, device=device).uniform_(*SCALE)
    aspect = torch.empty(count, TRIES, device=device).uniform_(*map(math.log, RATIO)).exp_()
    sides = torch.stack([(area / aspect).sqrt().round(), (area * aspect).sqrt().round()], dim=-1)
    fits = (sides[..., 0] <= height) & (sides[..., 1] <= width)
    first = fits.int().argmax(dim=1)
    chosen = sides[torch.arange(count, device=device), first]
    whole = torch.tensor([height, width], dtype=chosen.dtype, device=device)
    chosen = torch.where(fits.any(dim=1, keepdim=True), chosen, whole)
    corner = (torch.rand(count, 2, device=device) * (whole - chosen + 1)).floor()
    return torch.cat([corner, chosen], dim=1)


def resized_crops(images: torch.Tensor, boxes: torch.Tensor, size: int) -> torch.Tensor:
    """Each image's box resampled bilinearly to ``size``×``size`` in one ``grid_sample`` call: the
    result of cropping and then ``interpolate(..., "bilinear", align_corners=False)``.

    Without antialiasing: a 224 crop of a 256 image shrinks by at most 256/224, where it differs
    little from Pillow's bilinear filter that TLlib applies.
    """
    # Boxes are (row, column); grids are (x, y) in [-1, 1] over pixel edges, hence the flips.
    side = torch.tensor(images.shape[-2:], dtype=torch.float32, device=images.device)
    corner, extent = boxes[:, :2].float(), boxes[:, 2:].float()
    theta = torch.zeros(len(images), 2, 3, device=images.device)
    theta[:, [0, 1], [0, 1]] = (extent / side).flip(1)
    theta[:, :, 2] = ((2 * corner + extent) / side - 1).flip(1)
    grid = F.affine_grid(theta, [len(images), images.shape[1], size, size], align_corners=False)
    # Like interpolation of the cropped image, read nothing beyond the box's outer pixel centres.
    first = ((2 * corner + 1) / side - 1).flip(1)
    last = ((2 * (corner + extent) - 1) / side - 1).flip(1)
    grid = grid.clamp(min=first.view(-1, 1, 1, 2), max=last.view(-1, 1, 1, 2))
    crops = F.grid_sample(images.float(), grid, mode="bilinear", align_corners=False)
    return crops.round_().clamp_(0, 255).to(torch.uint8)


class RandomResizedCrop:
    """A random box of each image (see :func:`random_boxes`) resized to ``size``×``size``."""

    def __init__(self, size: int) -> None:
        self.size = size

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        boxes = random_boxes(len(images), *images.shape[-2:], device=images.device)
        return resized_crops(images, boxes, self.size)


def random_horizontal_flip(images: torch.Tensor) -> torch.Tensor:
    """Each image mirrored left–right with probability 1/2."""
    flip = torch.rand(len(images), device=images.device) < 0.5
    return torch.where(flip.view(-1, 1, 1, 1), images.flip(-1), images)


class RandomShift:
    """Each image translated by whole pixels, ``(dy, dx)`` uniform in ``[-shift, shift]`` each, with
    zeros filled in: one pad and two gathers for the whole batch."""

    def __init__(self, shift: int) -> None:
        self.shift = shift

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        count, channels, height, width = images.shape
        s = self.shift
        padded = F.pad(images, (s, s, s, s))
        dy, dx = torch.randint(-s, s + 1, (2, count, 1), device=images.device)
        # Output pixel (i, j) reads padded pixel (i + s - dy, j + s - dx): the content moves by (dy, dx).
        rows = (torch.arange(height, device=images.device) + s - dy).view(count, 1, height, 1)
        cols = (torch.arange(width, device=images.device) + s - dx).view(count, 1, 1, width)
        shifted = padded.gather(2, rows.expand(count, channels, height, width + 2 * s))
        return shifted.gather(3, cols.expand(count, channels, height, width))


def build_augmentation(cfg: Mapping[str, Any] | None, image_side: int) -> tuple[Transform, Transform]:
    """``(augment_train, prepare_eval)`` from a dataset's ``augment`` keys (``shift``, ``train_crop``,
    ``flip``, ``eval_crop``); absent keys leave batches unchanged."""
    cfg = cfg or {}
    train: list[Transform] = []
    shift = cfg.get("shift") or 0
    if isinstance(shift, bool) or not isinstance(shift, int) or not 0 <= shift < image_side:
        raise UserError(
            f"dataset.augment.shift={shift!r} must be a whole number of pixels in 0..{image_side - 1}"
        )
    if shift:
        train.append(RandomShift(shift))
    if cfg.get("train_crop"):
        train.append(RandomResizedCrop(cfg["train_crop"]))
    if cfg.get("flip"):
        train.append(random_horizontal_flip)
    eval_crop = cfg.get("eval_crop")
    if eval_crop and eval_crop > image_side:
        raise UserError(
            f"dataset.augment.eval_crop={eval_crop} exceeds the {image_side}-pixel images; "
            "lower it or raise dataset.image_size"
        )
    return v2.Compose(train) if train else identity, v2.CenterCrop(eval_crop) if eval_crop else identity
