"""In-memory splits and the conversions every task applies to its domains."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torchvision.transforms.v2.functional as TF
from PIL import Image


@dataclass
class Split:
    """One split of one domain held as tensors.

    ``inputs`` is uint8 images ``(N, C, H, W)`` or float features ``(N, D)``; ``labels`` is int64.
    """

    inputs: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return len(self.labels)

    def to(self, device: torch.device | str) -> "Split":
        return Split(self.inputs.to(device), self.labels.to(device))

    def take(self, rows: torch.Tensor) -> "Split":
        """The examples at ``rows`` (indices, on any device), in that order."""
        return Split(self.inputs[rows.to(self.inputs.device)], self.labels[rows.to(self.labels.device)])


@dataclass
class Domain:
    """The train and test splits of one domain (e.g. MNIST), and ``val``: labelled examples held
    out of its training data (a task's source validation split), never trained on; None: none."""

    train: Split
    test: Split
    val: Split | None = None

    def to(self, device: torch.device | str) -> "Domain":
        return Domain(self.train.to(device), self.test.to(device), None if self.val is None else self.val.to(device))


#: ``dataset.interpolation`` choices but ``pil_bicubic``: torchvision's resize of uint8 tensors.
INTERPOLATIONS = {"bilinear": TF.InterpolationMode.BILINEAR, "bicubic": TF.InterpolationMode.BICUBIC}
#: Every ``dataset.interpolation`` choice. ``pil_bicubic`` is PIL's ``Image.resize`` default, image by
#: image, as TLlib resizes USPS (``tllib.vision.transforms.ResizeImage``): bicubic with Keys a = −0.5,
#: where torchvision's tensor bicubic uses a = −0.75, so ``bicubic`` is close to TLlib's but not equal.
INTERPOLATION_CHOICES = (*INTERPOLATIONS, "pil_bicubic")


def conform_images(split: Split, image_size: int, channels: int, interpolation: str = "bilinear") -> Split:
    """Resize uint8 images to ``image_size`` squared, once, with ``interpolation`` (one of
    ``INTERPOLATION_CHOICES``), and convert gray↔RGB to ``channels``."""
    images = split.inputs
    if images.shape[-1] != image_size or images.shape[-2] != image_size:
        images = _resized(images, image_size, interpolation)
    if images.shape[1] != channels:
        images = _convert_channels(images, channels)
    return Split(images.contiguous(), split.labels)


def _resized(images: torch.Tensor, size: int, interpolation: str) -> torch.Tensor:
    if interpolation == "pil_bicubic":
        resized = [TF.to_pil_image(image).resize((size, size), Image.Resampling.BICUBIC) for image in images]
        return torch.stack([TF.pil_to_tensor(image) for image in resized])
    mode = INTERPOLATIONS[interpolation]
    return TF.resize(images, [size, size], interpolation=mode, antialias=True)


def _convert_channels(images: torch.Tensor, channels: int) -> torch.Tensor:
    if images.shape[1] == 1 and channels == 3:
        return images.expand(-1, 3, -1, -1)
    if images.shape[1] == 3 and channels == 1:
        return TF.rgb_to_grayscale(images)
    raise ValueError(f"cannot convert {images.shape[1]} channels to {channels}")
