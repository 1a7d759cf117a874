"""Small stand-ins for the real datasets, written in their real on-disk layouts.

Each writer fixture returns the data root and registers the stand-ins' checksums in
``KNOWN`` (undone after the test), as if they were the published files.
"""

from __future__ import annotations

import bz2
import io
import tarfile
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
import scipy.io
import torch
from PIL import Image
from torchvision import datasets

from transferbench.data.checksums import KNOWN, Checksum, digest
from transferbench.data.office31 import CLASSES

Images = tuple[np.ndarray, np.ndarray]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def trust(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, Path], None]:
    """Make ``KNOWN[dataset]`` hold the checksums of the files now in ``folder``."""

    def accept(dataset: str, folder: Path) -> None:
        for relative, known in list(KNOWN[dataset].items()):
            found = Checksum(known.algorithm, digest(folder / relative, known.algorithm))
            monkeypatch.setitem(KNOWN[dataset], relative, found)

    return accept


def random_images(count: int, shape: tuple[int, ...], seed: int) -> Images:
    """``count`` random uint8 images of ``shape`` and labels 0..9."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (count, *shape), dtype=np.uint8), rng.integers(0, 10, count)


def encode(image: np.ndarray, kind: str) -> bytes:
    """A ``(3, H, W)`` uint8 image encoded by Pillow as ``kind`` (PNG, JPEG)."""
    stream = io.BytesIO()
    Image.fromarray(image.transpose(1, 2, 0)).save(stream, kind)
    return stream.getvalue()


def _write_idx(path: Path, array: np.ndarray) -> None:
    """LeCun's idx format: magic ``00 00 08 <ndim>``, big-endian int32 sizes, then uint8 data."""
    header = bytes([0, 0, 8, array.ndim]) + np.asarray(array.shape, dtype=">i4").tobytes()
    path.write_bytes(header + array.astype(np.uint8).tobytes())


@pytest.fixture
def fake_idx(root: Path, trust) -> Callable[..., dict[str, Images]]:
    """Write the four idx files of an MNIST-format dataset to ``root/<folder>/raw``."""

    def write(dataset: str = "MNIST", folder: str = "MNIST", seed: int = 0) -> dict[str, Images]:
        raw = root / folder / "raw"
        raw.mkdir(parents=True, exist_ok=True)
        splits = {"train": random_images(12, (28, 28), seed),
                  "t10k": random_images(6, (28, 28), seed + 1)}
        for prefix, (images, labels) in splits.items():
            _write_idx(raw / f"{prefix}-images-idx3-ubyte", images)
            _write_idx(raw / f"{prefix}-labels-idx1-ubyte", labels)
        trust(dataset, raw)
        return splits

    return write


@pytest.fixture
def fake_usps(root: Path, trust) -> Callable[[], dict[str, Images]]:
    """Write ``root/USPS/usps{,.t}.bz2`` as libsvm publishes them: ``<label 1-10> <i>:<pixel in [-1, 1]>``."""

    def write() -> dict[str, Images]:
        folder = root / "USPS"
        folder.mkdir(parents=True, exist_ok=True)
        splits = {"usps.bz2": random_images(9, (16, 16), 2), "usps.t.bz2": random_images(5, (16, 16), 3)}
        for name, (images, labels) in splits.items():
            pixels = images.reshape(len(images), -1) / 255 * 2 - 1
            lines = (
                f"{label + 1} " + " ".join(f"{index}:{value:.6f}" for index, value in enumerate(row, start=1))
                for row, label in zip(pixels, labels)
            )
            (folder / name).write_bytes(bz2.compress("\n".join(lines).encode() + b"\n"))
        trust("USPS", folder)
        return splits

    return write


@pytest.fixture
def fake_mnistm(root: Path, trust) -> Callable[..., dict[str, Images]]:
    """Write ``root/MNIST-M/mnist_m.tar.gz`` as published: PNGs and label lists under ``mnist_m/``."""

    def write(seed: int = 0) -> dict[str, Images]:
        splits = {"train": random_images(5, (3, 32, 32), seed),
                  "test": random_images(3, (3, 32, 32), seed + 1)}
        folder = root / "MNIST-M"
        folder.mkdir(parents=True, exist_ok=True)
        with tarfile.open(folder / "mnist_m.tar.gz", "w:gz") as archive:
            for split, (images, labels) in splits.items():
                names = [f"{index:08d}.png" for index in range(len(labels))]
                for name, image in reversed(list(zip(names, images))):
                    _add(archive, f"mnist_m/mnist_m_{split}/{name}", encode(image, "PNG"))
                lines = "".join(f"{name} {label}\n" for name, label in zip(names, labels))
                _add(archive, f"mnist_m/mnist_m_{split}_labels.txt", lines.encode())
        trust("MNIST-M", folder)
        return splits

    return write


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    member = tarfile.TarInfo(name)
    member.size = len(data)
    archive.addfile(member, io.BytesIO(data))


@pytest.fixture
def fake_svhn(root: Path, trust, monkeypatch: pytest.MonkeyPatch) -> Callable[[], dict[str, Images]]:
    """Write ``root/SVHN/{train,test}_32x32.mat`` as torchvision reads them: X (32, 32, 3, N), y."""

    def write() -> dict[str, Images]:
        folder = root / "SVHN"
        folder.mkdir(parents=True, exist_ok=True)
        splits = {"train": random_images(7, (32, 32, 3), 0), "test": random_images(4, (32, 32, 3), 1)}
        for split, (images, labels) in splits.items():
            labels[0] = 10
            arrays = {"X": images.transpose(1, 2, 3, 0), "y": labels[:, None]}
            scipy.io.savemat(folder / f"{split}_32x32.mat", arrays)
        trust("SVHN", folder)
        for split in splits:
            url, name, _ = datasets.SVHN.split_list[split]
            monkeypatch.setitem(datasets.SVHN.split_list, split, [url, name, KNOWN["SVHN"][name].digest])
        return splits

    return write


@pytest.fixture
def fake_bsds(root: Path, trust) -> Callable[..., list[torch.Tensor]]:
    """Write three small colour JPEGs (one portrait) in BSDS500's layout; returns their pixels."""

    def write(seed: int = 0) -> list[torch.Tensor]:
        folder = root / "BSDS500"
        photos_folder = folder / "BSR" / "BSDS500" / "data" / "images" / "train"
        photos_folder.mkdir(parents=True, exist_ok=True)
        generator = torch.Generator().manual_seed(seed)
        photos = [torch.randint(0, 256, (3, *shape), dtype=torch.uint8, generator=generator)
                  for shape in ((40, 50), (40, 50), (50, 40))]
        for index, photo in enumerate(photos):
            (photos_folder / f"{index}.jpg").write_bytes(encode(photo.numpy(), "JPEG"))
        trust("BSDS500", folder)
        return photos

    return write


def class_colour(label: int) -> tuple[int, int, int]:
    """The solid RGB colour of the Office-31 stand-in images of class ``label``."""
    return 8 * label, 255 - 8 * label, 100


@pytest.fixture
def fake_office31(root: Path) -> Callable[..., dict[str, list[tuple[str, int]]]]:
    """Write solid-colour JPEGs in Office-31's layout, ``office31/<domain>/images/<class>/*.jpg``,
    and with ``lists`` TLlib's ``office31/image_list/<domain>.txt``; returns each domain's
    ``(path relative to office31/, label)`` in sorted order."""

    def write(
        domains: tuple[str, ...] = ("amazon", "webcam"),
        classes: tuple[str, ...] = ("back_pack", "bike", "mug"), per_class: int = 2, lists: bool = False,
    ) -> dict[str, list[tuple[str, int]]]:
        folder = root / "office31"
        written = {}
        for domain in domains:
            entries = [(f"{domain}/images/{name}/frame_{index:04d}.jpg", CLASSES.index(name))
                       for name in classes for index in range(per_class)]
            for relative, label in entries:
                colour = np.array(class_colour(label), dtype=np.uint8)[:, None, None]
                (folder / relative).parent.mkdir(parents=True, exist_ok=True)
                (folder / relative).write_bytes(encode(np.tile(colour, (1, 48, 64)), "JPEG"))
            if lists:
                (folder / "image_list").mkdir(exist_ok=True)
                lines = "".join(f"{relative} {label}\n" for relative, label in entries)
                (folder / "image_list" / f"{domain}.txt").write_text(lines)
            written[domain] = entries
        return written

    return write
