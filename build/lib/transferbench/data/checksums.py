"""Known checksums of every file the loaders read or download, and their verification.

SHA-256 values are those of the official releases (MNIST and Fashion-MNIST idx files as
torchvision unpacks them, USPS as torchvision downloads it from the libsvm page, ``mnist_m.tar.gz``
as published with DANN). SVHN's are the MD5s torchvision checks (no SHA-256 is published). The 200
BSDS500 training photos have one digest: that of their ``sha256sum`` listing, reproducible with
``cd BSR/BSDS500/data/images/train && LC_ALL=C sha256sum *.jpg | sha256sum``.

Hashing hundreds of megabytes on every run would be slow, so a verified file leaves a stamp
(its size, mtime and the expected digest) in the cache folder and is hashed again only when
it changes.
"""

from __future__ import annotations

import glob
import hashlib
from dataclasses import dataclass
from pathlib import Path

from transferbench.data.cache import write_cache_file
from transferbench.errors import UserError


@dataclass(frozen=True)
class Checksum:
    algorithm: str
    digest: str


def _sha256(digest: str) -> Checksum:
    return Checksum("sha256", digest)


def _md5(digest: str) -> Checksum:
    return Checksum("md5", digest)


#: dataset → {path relative to the dataset's folder (a glob may end it): checksum}
KNOWN: dict[str, dict[str, Checksum]] = {
    "MNIST": {
        "train-images-idx3-ubyte": _sha256("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
        "train-labels-idx1-ubyte": _sha256("65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
        "t10k-images-idx3-ubyte": _sha256("0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
        "t10k-labels-idx1-ubyte": _sha256("ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
    },
    "Fashion-MNIST": {
        "train-images-idx3-ubyte": _sha256("c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
        "train-labels-idx1-ubyte": _sha256("bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
        "t10k-images-idx3-ubyte": _sha256("5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
        "t10k-labels-idx1-ubyte": _sha256("0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
    },
    "USPS": {
        "usps.bz2": _sha256("17dda8723042004b3fe6512c8769022bf7cec5322be1fb98a623d5de13b70666"),
        "usps.t.bz2": _sha256("22bb89593ed8a6c80fbd69e16bc34c935f462e7c8531a812fc3d2a141d17c298"),
    },
    "MNIST-M": {
        "mnist_m.tar.gz": _sha256("1581299ce697c17a25f1a786d207a8ae14055bbbd5101c887152564e19df58c8"),
    },
    "SVHN": {
        "train_32x32.mat": _md5("e26dedcc434d2e4c54c9b2d4a06d8373"),
        "test_32x32.mat": _md5("eb5a983be6a315427106f1b164d9cef3"),
    },
    "BSDS500": {
        "BSR/BSDS500/data/images/train/*.jpg": _sha256(
            "7b3afcf5bdd832fdb60c6c9acd964ec7853ba09a86cd2ed5d795e216c02cd87b"
        ),
    },
}


def members(path: Path) -> list[Path]:
    """The files ``path`` names: itself, or the sorted matches of a glob in its last part."""
    if glob.has_magic(path.name):
        return sorted(path.parent.glob(path.name))
    return [path] if path.is_file() else []


def digest(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file, or of the ``sha256sum``-style listing of a glob's matches."""
    if not glob.has_magic(path.name):
        return _file_digest(path, algorithm)
    listing = "".join(f"{_file_digest(file, algorithm)}  {file.name}\n" for file in members(path))
    return hashlib.new(algorithm, listing.encode()).hexdigest()


def _file_digest(path: Path, algorithm: str) -> str:
    hasher = hashlib.new(algorithm)
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            hasher.update(chunk)
    return hasher.hexdigest()


def verify(path: Path, expected: Checksum, stamps: Path | None = None) -> None:
    """Raise a one-line ``UserError`` unless ``path`` has the ``expected`` checksum.

    With a ``stamps`` folder, a success is remembered and skipped while size and mtime stay.
    """
    record = f"{expected.algorithm}:{expected.digest} {_fingerprint(path)}"
    stamp = None if stamps is None else stamps / f"{_name_key(path)}.stamp"
    if stamp is not None and stamp.is_file() and stamp.read_text() == record:
        return
    found = digest(path, expected.algorithm)
    if found != expected.digest:
        raise UserError(
            f"checksum mismatch for {path}: expected {expected.algorithm} {expected.digest}, "
            f"found {found}; the copy is corrupted or incomplete: delete it and download it "
            "again (data.download=true, or by hand)"
        )
    if stamp is not None:
        write_cache_file(stamp, lambda stream: stream.write(record.encode()))


def _name_key(path: Path) -> str:
    return hashlib.sha256(str(path.absolute()).encode()).hexdigest()[:24]


def _fingerprint(path: Path) -> str:
    return ";".join(
        f"{file.name}:{status.st_size}:{status.st_mtime_ns}"
        for file, status in ((file, file.stat()) for file in members(path))
    )


def verify_known(dataset: str, folder: Path, stamps: Path | None = None) -> None:
    """Verify every file of ``dataset`` listed in ``KNOWN`` under ``folder``."""
    for relative, expected in KNOWN[dataset].items():
        verify(folder / relative, expected, stamps)
