"""Write image domains as PNG files with image lists, to run TLlib beside transferbench on the very
images transferbench trains on (before any resizing).

    python scripts/export_image_list.py mnist usps --out data/tllib_digits
    # then, in TLlib's examples/domain_adaptation/image_classification (see docs/results/digits.md):
    python dann.py data/tllib_digits -d Digits -s MNIST -t USPS ...

Layout, that of TLlib's Digits datasets (tllib/vision/datasets/digits.py, commit 4636534): for each
domain, <out>/<NAME>/image_list/<name>_{train,test}.txt with one "<name>_<split>_image/<i>.png
<label>" line per image, and the PNGs in <out>/<NAME>/<name>_<split>_image/.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from torchvision.transforms.v2.functional import to_pil_image

from transferbench.data import DOMAINS, Split
from transferbench.errors import UserError
from transferbench.files import write_text


def export_split(split: Split, folder: Path, name: str, split_name: str) -> Path:
    """``split``'s images as PNGs under ``folder`` and its image list; returns the list's path."""
    images = folder / f"{name}_{split_name}_image"
    images.mkdir(parents=True, exist_ok=True)
    lines = []
    for index, (image, label) in enumerate(zip(split.inputs, split.labels.tolist())):
        relative = f"{images.name}/{index}.png"
        to_pil_image(image).save(folder / relative)
        lines.append(f"{relative} {label}\n")
    listing = folder / "image_list" / f"{name}_{split_name}.txt"
    write_text(listing, "".join(lines))
    return listing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("domains", nargs="+", help="domain names, e.g. mnist usps")
    parser.add_argument("--out", type=Path, required=True, help="folder to write <NAME>/ into")
    parser.add_argument("--root", type=Path, default=Path(os.environ.get("TRANSFERBENCH_DATA", "data")),
                        help="the data folder, as data.root: $TRANSFERBENCH_DATA, else data")
    args = parser.parse_args(argv)
    try:
        for name in args.domains:
            domain = DOMAINS.get(name, "scripts/export_image_list.py")(root=args.root, download=False)
            for split_name, split in (("train", domain.train), ("test", domain.test)):
                listing = export_split(split, args.out / name.upper(), name, split_name)
                print(f"{name} {split_name}: {len(split)} images, {listing}")
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
