"""The BSDS500 training photos (Arbeláez et al., TPAMI 2011), the backgrounds of MNIST-M."""

from __future__ import annotations

from pathlib import Path

import torch
from torchvision.datasets.utils import download_and_extract_archive

from transferbench.data.checksums import KNOWN, members
from transferbench.data.download import ensure_files
from transferbench.data.vision import decode_rgb

URL = "http://www.eecs.berkeley.edu/Research/Projects/CS/vision/grouping/BSR/BSR_bsds500.tgz"
PHOTOS = next(iter(KNOWN["BSDS500"]))


def bsds_photos(folder: Path, download: bool, cache: Path) -> list[torch.Tensor]:
    """The 200 photos of ``folder/BSR/BSDS500/data/images/train`` as uint8 RGB ``(3, H, W)``."""

    def fetch() -> None:
        download_and_extract_archive(URL, str(folder))

    ensure_files("BSDS500", folder, URL, fetch, download, cache)
    return [decode_rgb(path.read_bytes()) for path in members(folder / PHOTOS)]
