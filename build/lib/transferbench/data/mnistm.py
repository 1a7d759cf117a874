"""MNIST-M (Ganin et al., "Domain-Adversarial Training of Neural Networks", JMLR 2016, §5.2.2).

MNIST digits blended over random colour patches of BSDS500 photos. Two sources
(``dataset.options.mnistm_source``):

- ``archive``: the published ``mnist_m.tar.gz`` (59,001 train / 9,001 test 32×32 RGB PNGs), read
  straight from the tar;
- ``generate``: the paper's recipe on MNIST (60,000 / 10,000), at the archive's 32×32: each digit
  is resized to 32×32 (bilinear), then blended — see ``blend``.

Decoding is slow, so the uint8 tensors are cached (``transferbench.data.cache``) under a key made
of the sources' known checksums (and the seed when generating).
"""

from __future__ import annotations

import tarfile
from pathlib import Path, PurePosixPath
from typing import Sequence

import torch
from torchvision.transforms.v2.functional import resize

from transferbench.data.bsds import bsds_photos
from transferbench.data.cache import cache_folder, cache_key, cached_domain
from transferbench.data.checksums import KNOWN
from transferbench.data.digits import mnist
from transferbench.data.domain import Domain, Split
from transferbench.data.download import ensure_files
from transferbench.data.registry import DOMAINS
from transferbench.data.vision import decode_rgb
from transferbench.errors import UserError

ARCHIVE = "mnist_m.tar.gz"
ARCHIVE_URL = "https://drive.google.com/file/d/0B_tExHiYS-0veklUZHFYT19KYjg (linked from the DANN page)"
#: Bumped whenever the decoded tensors would change, so old caches are not reused.
FORMAT = 2
#: The side of the published images; generated ones match it, so both go through the same resize.
SIDE = 32


@DOMAINS.register("mnistm")
def mnistm(
    root: Path, download: bool = True, mnistm_source: str = "archive", mnistm_seed: int = 0,
    cache_dir: str | None = None,
) -> Domain:
    """MNIST-M from ``root/MNIST-M/mnist_m.tar.gz`` (``archive``), or generated from MNIST and
    ``root/BSDS500`` with ``mnistm_seed`` (``generate``); cached in ``cache_dir``."""
    cache = cache_folder(root, cache_dir)
    if mnistm_source == "archive":
        return _from_archive(root / "MNIST-M", download, cache)
    if mnistm_source == "generate":
        return _generated(root, download, mnistm_seed, cache, cache_dir)
    raise UserError(
        f"dataset.options.mnistm_source must be 'archive' or 'generate', got {mnistm_source!r}"
    )


def _from_archive(folder: Path, download: bool, cache: Path) -> Domain:
    def build() -> Domain:
        hint = ", or set dataset.options.mnistm_source=generate to build it from MNIST and BSDS500"
        ensure_files("MNIST-M", folder, ARCHIVE_URL, None, download, cache, hint)
        return decode_archive(folder / ARCHIVE)

    key = cache_key(FORMAT, KNOWN["MNIST-M"][ARCHIVE].digest)
    return cached_domain(cache / f"mnistm-archive-{key}.pt", build)


def decode_archive(path: Path) -> Domain:
    """Both splits of ``mnist_m.tar.gz``, decoded in one streaming pass without extracting."""
    images: dict[str, torch.Tensor] = {}
    labels: dict[str, list[list[str]]] = {}
    with tarfile.open(path, "r|gz") as archive:
        for member in archive:
            if not member.isfile():
                continue
            name = PurePosixPath(member.name)
            data = archive.extractfile(member).read()
            if name.suffix == ".png":
                images[f"{name.parent.name}/{name.name}"] = decode_rgb(data)
            elif name.name.endswith("_labels.txt"):
                labels[name.name] = [line.split() for line in data.decode().splitlines() if line.strip()]
    return Domain(*(_archive_split(images, labels, split) for split in ("train", "test")))


def _archive_split(
    images: dict[str, torch.Tensor], labels: dict[str, list[list[str]]], split: str
) -> Split:
    """One split in the order of ``mnist_m_<split>_labels.txt`` (lines ``00000000.png 5``)."""
    lines = labels[f"mnist_m_{split}_labels.txt"]
    return Split(
        torch.stack([images[f"mnist_m_{split}/{file}"] for file, _ in lines]),
        torch.tensor([int(label) for _, label in lines], dtype=torch.int64),
    )


def _generated(root: Path, download: bool, seed: int, cache: Path, cache_dir: str | None) -> Domain:
    def build() -> Domain:
        digits = mnist(root, download=download, cache_dir=cache_dir)
        return generate(digits, bsds_photos(root / "BSDS500", download, cache), seed)

    sources = (*KNOWN["MNIST"].values(), *KNOWN["BSDS500"].values())
    key = cache_key(FORMAT, seed, *(checksum.digest for checksum in sources))
    return cached_domain(cache / f"mnistm-generated-{key}.pt", build)


def generate(digits: Domain, photos: Sequence[torch.Tensor], seed: int) -> Domain:
    """MNIST-M made from ``digits`` (resized to the archive's 32×32) and ``photos``; the same seed
    gives the same images."""
    generator = torch.Generator().manual_seed(seed)
    splits = (digits.train, digits.test)
    return Domain(*(
        Split(blend(resize(split.inputs, [SIDE, SIDE], antialias=True), photos, generator), split.labels)
        for split in splits
    ))


def blend(
    digits: torch.Tensor, photos: Sequence[torch.Tensor], generator: torch.Generator
) -> torch.Tensor:
    """``|patch − digit|`` per channel, each patch a random crop of a random photo (DANN §5.2.2).

    ``digits`` is uint8 ``(N, 1, S, S)``; the result is uint8 ``(N, 3, S, S)``.
    """
    count, size = len(digits), digits.shape[-1]
    choice = torch.randint(len(photos), (count,), generator=generator)
    corner = torch.rand(count, 2, generator=generator)
    span = torch.arange(size)
    blended = torch.empty(count, 3, size, size, dtype=torch.uint8)
    for index, photo in enumerate(photos):
        picked = (choice == index).nonzero().squeeze(1)
        top_left = (corner[picked] * (torch.tensor(photo.shape[1:]) - size + 1)).long()
        rows = (top_left[:, 0, None] + span)[:, :, None]
        columns = (top_left[:, 1, None] + span)[:, None, :]
        patches = photo[:, rows, columns].transpose(0, 1)
        blended[picked] = (patches.short() - digits[picked].short()).abs().to(torch.uint8)
    return blended
