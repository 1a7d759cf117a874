"""Image decoding, and domains read through torchvision's dataset classes (MNIST, USPS, SVHN…)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch
from PIL import Image
from torchvision import datasets

from transferbench.data.cache import cache_folder
from transferbench.data.domain import Domain, Split
from transferbench.data.download import ensure_files

#: ``read(train, download)`` → ``(images, labels)`` of one split, downloading when asked.
Reader = Callable[[bool, bool], tuple[Any, Any]]


def as_split(images: torch.Tensor | np.ndarray, labels: Any) -> Split:
    """uint8 ``(N, C, H, W)`` images (a channel axis is added to gray ones) and int64 labels."""
    images = torch.as_tensor(images, dtype=torch.uint8)
    if images.ndim == 3:
        images = images.unsqueeze(1)
    return Split(images, torch.as_tensor(labels, dtype=torch.int64))


def decode_rgb(data: bytes, size: int | None = None) -> torch.Tensor:
    """An encoded image (PNG, JPEG, …) as uint8 RGB ``(3, H, W)``, decoded by Pillow; with ``size``,
    resized to ``size``×``size`` by Pillow's bilinear filter (what torchvision's ``Resize`` does to
    PIL images)."""
    with Image.open(io.BytesIO(data)) as image:
        image = image.convert("RGB")
        if size is not None:
            image = image.resize((size, size), Image.Resampling.BILINEAR)
        return torch.from_numpy(np.array(image)).permute(2, 0, 1).contiguous()


def torchvision_domain(
    name: str, folder: Path, url: str, read: Reader, download: bool, cache: Path
) -> Domain:
    """Ensure ``name``'s verified files are in ``folder`` (downloading through ``read``), then
    read both splits."""

    def fetch() -> None:
        for train in (True, False):
            read(train, True)

    ensure_files(name, folder, url, fetch, download, cache)
    return Domain(*(as_split(*read(train, False)) for train in (True, False)))


def idx_domain(
    kind: type[datasets.MNIST], name: str, root: Path, url: str, download: bool, cache_dir: str | None
) -> Domain:
    """An MNIST-format domain (idx files in ``root/<class name>/raw``) through torchvision's ``kind``."""

    def read(train: bool, allow_download: bool) -> tuple[Any, Any]:
        split = kind(str(root), train=train, download=allow_download)
        return split.data, split.targets

    folder = root / kind.__name__ / "raw"
    return torchvision_domain(name, folder, url, read, download, cache_folder(root, cache_dir))
