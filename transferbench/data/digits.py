"""Digit domains read through torchvision: MNIST and USPS."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torchvision import datasets

from transferbench.data.domain import Domain, Split
from transferbench.data.registry import DATASETS
from transferbench.errors import UserError


def _download_or_explain(
    name: str, folder: Path, files: list[str], url: str, load: Callable[[bool], Domain], download: bool
) -> Domain:
    """Load from ``folder``; if files are missing, download them or fail with one clear line."""
    if all((folder / f).is_file() for f in files):
        return load(False)
    how = f"download {url} and place {', '.join(files)} in {folder}"
    if not download:
        raise UserError(f"{name} not found in {folder}; {how}, or set data.download=true")
    try:
        return load(True)
    except Exception as error:  # network failures surface as many exception types
        raise UserError(
            f"{name} not found in {folder} and its download failed ({type(error).__name__}); "
            f"{how}, or point data.root / TRANSFERBENCH_DATA at a folder that has it"
        ) from error


def _split(images: torch.Tensor | np.ndarray, labels) -> Split:
    images = torch.as_tensor(images, dtype=torch.uint8)
    if images.ndim == 3:
        images = images.unsqueeze(1)
    return Split(images, torch.as_tensor(labels, dtype=torch.int64))


@DATASETS.register("mnist")
def mnist(root: Path, download: bool = True, **_: object) -> Domain:
    """MNIST (LeCun et al. 1998): 60k/10k 28×28 gray digits, from ``root/MNIST/raw``."""

    def load(allow_download: bool) -> Domain:
        train, test = (
            datasets.MNIST(str(root), train=flag, download=allow_download) for flag in (True, False)
        )
        return Domain(_split(train.data, train.targets), _split(test.data, test.targets))

    files = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
    return _download_or_explain(
        "MNIST", root / "MNIST" / "raw", files, "https://ossci-datasets.s3.amazonaws.com/mnist/",
        load, download,
    )


@DATASETS.register("usps")
def usps(root: Path, download: bool = True, **_: object) -> Domain:
    """USPS (Hull 1994): 7,291/2,007 16×16 gray digits, from ``root/USPS/usps{,.t}.bz2``."""
    folder = root / "USPS"

    def load(allow_download: bool) -> Domain:
        train, test = (
            datasets.USPS(str(folder), train=flag, download=allow_download) for flag in (True, False)
        )
        return Domain(_split(train.data, train.targets), _split(test.data, test.targets))

    return _download_or_explain(
        "USPS", folder, ["usps.bz2", "usps.t.bz2"],
        "https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/multiclass/", load, download,
    )
