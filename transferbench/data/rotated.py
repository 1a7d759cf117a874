"""MNIST digits each rotated by its own angle: one set of images with two label spaces, the digit
(classification) and the angle in degrees (regression), for multi-task learning."""

from __future__ import annotations

import math
from pathlib import Path

import torch
import torch.nn.functional as F

from transferbench.data.digits import mnist
from transferbench.data.domain import Domain, Split
from transferbench.data.registry import DOMAINS
from transferbench.errors import UserError

LABELS = ("class", "angle")


@DOMAINS.register("rotated_mnist")
def rotated_mnist(
    root: Path, download: bool = True, cache_dir: str | None = None, max_angle: float = 45.0,
    rotation_seed: int = 0, labels: str = "class",
) -> Domain:
    """MNIST with every image rotated counter-clockwise by θ ~ U[−max_angle, max_angle] degrees,
    drawn once per image from ``rotation_seed`` (the test split from ``rotation_seed + 1``), so that
    every run sees the same images; ``labels``: ``class`` (the digit, int64) or ``angle`` (θ in
    degrees, float32: a regression target)."""
    if labels not in LABELS:
        raise UserError(f"dataset.options.labels={labels} is not one of: {', '.join(LABELS)}")
    if not 0 <= max_angle <= 180:
        raise UserError(f"dataset.options.max_angle={max_angle} must lie in [0, 180] degrees")
    digits = mnist(root, download, cache_dir)
    splits = []
    for offset, split in enumerate((digits.train, digits.test)):
        generator = torch.Generator().manual_seed(rotation_seed + offset)
        angles = (torch.rand(len(split), generator=generator) * 2 - 1) * max_angle
        images = rotate_each(split.inputs, angles)
        splits.append(Split(images, split.labels if labels == "class" else angles))
    return Domain(*splits)


def rotate_each(images: torch.Tensor, degrees: torch.Tensor) -> torch.Tensor:
    """uint8 images ``(N, C, H, W)`` each rotated counter-clockwise about its centre by its own
    angle, bilinear, the corners filled with 0 (torchvision's ``rotate`` with one angle per image)."""
    radians = degrees * math.pi / 180
    cos, sin, zero = radians.cos(), radians.sin(), torch.zeros_like(radians)
    # affine_grid maps output to input coordinates (x right, y down): the inverse rotation.
    theta = torch.stack([torch.stack([cos, -sin, zero], 1), torch.stack([sin, cos, zero], 1)], 1)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    rotated = F.grid_sample(images.float(), grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return rotated.round().clamp(0, 255).to(torch.uint8)
