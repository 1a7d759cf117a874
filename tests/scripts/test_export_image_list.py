"""scripts/export_image_list.py: the PNGs and image lists hold exactly the images and labels
transferbench trains on, in TLlib's Digits layout."""

import numpy as np
import pytest
from PIL import Image

from tests.scripts import load_script
from transferbench.data.digits import usps


@pytest.fixture(scope="module")
def export():
    return load_script("export_image_list")


@pytest.mark.real_data
def test_usps_round_trips_through_pngs_and_lists(export, data_root, tmp_path, capsys):
    assert export.main(["usps", "--root", str(data_root), "--out", str(tmp_path)]) == 0
    domain = usps(data_root, download=False)
    for split_name, split in (("train", domain.train), ("test", domain.test)):
        lines = (tmp_path / "USPS" / "image_list" / f"usps_{split_name}.txt").read_text().splitlines()
        assert len(lines) == len(split)
        for index in (0, len(split) // 2, len(split) - 1):
            path, label = lines[index].rsplit(" ", 1)
            assert path == f"usps_{split_name}_image/{index}.png"
            pixels = np.asarray(Image.open(tmp_path / "USPS" / path).convert("L"))
            assert np.array_equal(pixels, split.inputs[index, 0].numpy())
            assert int(label) == split.labels[index].item()
    assert "usps test: 2007 images" in capsys.readouterr().out


def test_unknown_domain_is_one_line(export, tmp_path, capsys):
    assert export.main(["uspss", "--out", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: unknown domain 'uspss'") and "usps" in error and error.count("\n") == 1
