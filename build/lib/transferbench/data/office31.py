"""Office-31 (Saenko et al., ECCV 2010): 4,110 photos of 31 office objects in three domains,
``amazon`` (2,817 product shots), ``dslr`` (498) and ``webcam`` (795).

Images are read from ``root/office31/<domain>/images/<class>/*.jpg``, the layout of the published
``domain_adaptation_images.tar.gz`` and of TLlib's per-domain archives. Labels come from TLlib's
``root/office31/image_list/<domain>.txt`` (lines ``<path relative to office31/> <label>``) when it
exists, else from the class folder's position among the 31 sorted class names (the same labels).

Office-31 has no train/test split: unsupervised adaptation trains on the whole unlabelled target
domain and reports accuracy on all of it (DAN, JAN, TLlib), so both splits are the same images.

Each image is resized to 256×256 without keeping its aspect ratio, as DAN/JAN's Caffe data layers
and TLlib's ``ResizeImage(256)`` do before their 224 crops; the decoded domain is cached, keyed by
its file list (paths, sizes, labels). No checksums are published for the 4,110 files, so unlike the
other datasets they are not verified.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import torch
from torchvision.datasets.utils import download_and_extract_archive

from transferbench.data.cache import cache_folder, cache_key, cached_domain
from transferbench.data.domain import Domain, Split
from transferbench.data.download import fetch_or_explain
from transferbench.data.registry import DOMAINS
from transferbench.data.vision import decode_rgb
from transferbench.errors import UserError

CLASSES = (
    "back_pack", "bike", "bike_helmet", "bookcase", "bottle", "calculator", "desk_chair", "desk_lamp",
    "desktop_computer", "file_cabinet", "headphones", "keyboard", "laptop_computer", "letter_tray",
    "mobile_phone", "monitor", "mouse", "mug", "paper_notebook", "pen", "phone", "printer", "projector",
    "punchers", "ring_binder", "ruler", "scissors", "speaker", "stapler", "tape_dispenser", "trash_can",
)
#: TLlib's mirror of each domain (``tllib/vision/datasets/office31.py``); not reachable from here to check.
URLS = {
    "amazon": "https://cloud.tsinghua.edu.cn/f/ec12dfcddade43ab8101/?dl=1",
    "dslr": "https://cloud.tsinghua.edu.cn/f/a41d818ae2f34da7bb32/?dl=1",
    "webcam": "https://cloud.tsinghua.edu.cn/f/8a41009a166e4131adcd/?dl=1",
}
ARCHIVE = (
    "domain_adaptation_images.tar.gz (https://drive.google.com/file/d/0B4IapRTv9pJ1WGZVd1VDMmhwdlE, "
    "linked from the Office dataset page)"
)
SIZE = 256
#: Bumped whenever the decoded tensors would change, so old caches are not reused.
FORMAT = 1

Entry = tuple[Path, int]


def office31(
    domain: str, root: Path, download: bool = True, cache_dir: str | None = None
) -> Domain:
    """One Office-31 domain at 256×256, both splits the whole domain; cached in ``cache_dir``."""
    folder = root / "office31"
    _ensure_images(folder, domain, download)
    entries = _entries(folder, domain)
    listing = (f"{path.relative_to(folder)} {path.stat().st_size} {label}" for path, label in entries)
    cached = cache_folder(root, cache_dir) / f"office31-{domain}-{cache_key(FORMAT, SIZE, *listing)}.pt"
    return cached_domain(cached, lambda: decode(entries))


def _ensure_images(folder: Path, domain: str, download: bool) -> None:
    images = folder / domain / "images"

    def present() -> bool:
        return any(images.glob("*/*.jpg"))

    def fetch() -> None:
        download_and_extract_archive(
            URLS[domain], str(folder), filename=f"{domain}.tgz", remove_finished=True
        )

    if not present():
        url = f"{URLS[domain]} (TLlib's {domain}.tgz, link not checked by transferbench) or {ARCHIVE}"
        fetch_or_explain("Office-31", folder, url, f"{domain}/images/<class>/*.jpg", present, fetch, download)


def _entries(folder: Path, domain: str) -> list[Entry]:
    """``(image, label)`` pairs from TLlib's image list when there is one, else from the folders."""
    listing = folder / "image_list" / f"{domain}.txt"
    if listing.is_file():
        lines = listing.read_text().splitlines()
        return [_listed(folder, listing, line) for line in lines if line.strip()]
    return [(path, _label(path)) for path in sorted((folder / domain / "images").glob("*/*.jpg"))]


def _listed(folder: Path, listing: Path, line: str) -> Entry:
    parts = line.rsplit(maxsplit=1)
    path = folder / parts[0]
    if len(parts) != 2 or not parts[1].isdigit() or int(parts[1]) >= len(CLASSES) or not path.is_file():
        raise UserError(
            f"bad line {line.strip()!r} in {listing}: expected '<image under {folder}> <label 0-30>'; "
            "fix the list, or delete it to label images by their class folders"
        )
    return path, int(parts[1])


def _label(path: Path) -> int:
    if path.parent.name not in CLASSES:
        raise UserError(
            f"{path.parent} is not an Office-31 class folder; expected one of: {', '.join(CLASSES)}"
        )
    return CLASSES.index(path.parent.name)


def decode(entries: list[Entry]) -> Domain:
    """The images of ``entries`` decoded and resized to 256×256 (in threads: Pillow releases the GIL)."""
    with ThreadPoolExecutor() as pool:
        images = list(pool.map(lambda entry: decode_rgb(entry[0].read_bytes(), SIZE), entries))
    split = Split(torch.stack(images), torch.tensor([label for _, label in entries], dtype=torch.int64))
    return Domain(split, split)


for _domain in URLS:
    DOMAINS.register(_domain)(partial(office31, _domain))
