"""In-memory splits and the conversions every task applies to its domains."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torchvision.transforms.v2.functional as TF


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


@dataclass
class Domain:
    """The train and test splits of one domain (e.g. MNIST)."""

    train: Split
    test: Split

    def to(self, device: torch.device | str) -> "Domain":
        return Domain(self.train.to(device), self.test.to(device))


#: ``dataset.interpolation`` choices. TLlib resizes USPS with PIL's ``Image.resize`` default,
#: bicubic (Keys a = −0.5); torchvision's tensor bicubic uses a = −0.75, close to it but not equal.
INTERPOLATIONS = {"bilinear": TF.InterpolationMode.BILINEAR, "bicubic": TF.InterpolationMode.BICUBIC}


def conform_images(split: Split, image_size: int, channels: int, interpolation: str = "bilinear") -> Split:
    """Resize uint8 images to ``image_size`` squared, once, with torchvision's ``interpolation``
    (a key of ``INTERPOLATIONS``), and convert gray↔RGB to ``channels``."""
    images = split.inputs
    if images.shape[-1] != image_size or images.shape[-2] != image_size:
        mode = INTERPOLATIONS[interpolation]
        images = TF.resize(images, [image_size, image_size], interpolation=mode, antialias=True)
    if images.shape[1] != channels:
        images = _convert_channels(images, channels)
    return Split(images.contiguous(), split.labels)


def _convert_channels(images: torch.Tensor, channels: int) -> torch.Tensor:
    if images.shape[1] == 1 and channels == 3:
        return images.expand(-1, 3, -1, -1)
    if images.shape[1] == 3 and channels == 1:
        return TF.rgb_to_grayscale(images)
    raise ValueError(f"cannot convert {images.shape[1]} channels to {channels}")
