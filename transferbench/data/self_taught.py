"""The two sides of self-taught learning (Raina, Battle, Lee, Packer & Ng, ICML 2007): unlabelled
patches of unrelated natural images (BSDS500), and a small labelled task (scikit-learn's 8×8 digits)."""

from __future__ import annotations

from pathlib import Path

import torch
import torchvision.transforms.v2.functional as TF
from sklearn.datasets import load_digits

from transferbench.data.bsds import bsds_photos
from transferbench.data.cache import cache_folder
from transferbench.data.domain import Domain, Split
from transferbench.data.registry import DOMAINS
from transferbench.errors import UserError

#: scikit-learn's digits: the first TRAIN images train, the other 597 test (the file's order is mixed).
TRAIN = 1200


@DOMAINS.register("sklearn_digits")
def sklearn_digits() -> Domain:
    """The 1,797 8×8 handwritten digits shipped with scikit-learn (UCI optical recognition of
    handwritten digits, Alpaydin & Kaynak 1998), grey levels 0-16 scaled to 0-255; the first 1,200
    are the training split, the last 597 the test split. Generated in memory: no data folder."""
    digits = load_digits()
    images = torch.as_tensor(digits.images * 255.0 / 16.0).round().to(torch.uint8).unsqueeze(1)
    labels = torch.as_tensor(digits.target, dtype=torch.int64)
    return Domain(Split(images[:TRAIN], labels[:TRAIN]), Split(images[TRAIN:], labels[TRAIN:]))


@DOMAINS.register("bsds_patches")
def bsds_patches(
    root: Path, download: bool = True, cache_dir: str | None = None, patch_size: int = 8, count: int = 50000,
    patch_seed: int = 0,
) -> Domain:
    """``count`` gray ``patch_size``² patches cut at random places (drawn with ``patch_seed``) from
    the 200 BSDS500 training photos (Arbeláez et al., TPAMI 2011), the same number from each photo;
    unlabelled (every label 0). The test split is the first 1,000 patches again."""
    if patch_size < 2 or count < 1:
        raise UserError(f"dataset.unlabelled.options: patch_size={patch_size} must be ≥ 2 and count={count} ≥ 1")
    photos = bsds_photos(root / "BSDS500", download, cache_folder(root, cache_dir))
    generator = torch.Generator().manual_seed(patch_seed)
    per_photo = -(-count // len(photos))
    patches = []
    for photo in photos:
        gray = TF.rgb_to_grayscale(photo)
        rows = torch.randint(0, gray.shape[1] - patch_size + 1, (per_photo,), generator=generator)
        cols = torch.randint(0, gray.shape[2] - patch_size + 1, (per_photo,), generator=generator)
        patches += [gray[:, r : r + patch_size, c : c + patch_size] for r, c in zip(rows.tolist(), cols.tolist())]
    images = torch.stack(patches[:count])
    labels = torch.zeros(len(images), dtype=torch.int64)
    return Domain(Split(images, labels), Split(images[:1000], labels[:1000]))
