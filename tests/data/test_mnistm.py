"""MNIST-M: the published archive read from its tar, the paper's generation, and their cache."""

import pytest
import torch

from transferbench.data import mnistm as module
from transferbench.data.cache import cache_folder
from transferbench.data.mnistm import blend, mnistm
from transferbench.errors import UserError


def never(*_):
    raise AssertionError("decoded again instead of reading the cache")


def cache_files(root, kind):
    return sorted((root / "transferbench-cache").glob(f"mnistm-{kind}-*.pt"))


def test_archive_splits_follow_the_label_files(root, fake_mnistm):
    written = fake_mnistm()
    domain = mnistm(root, download=False)
    for split, (images, labels) in zip((domain.train, domain.test), written.values()):
        assert split.inputs.dtype == torch.uint8 and split.labels.dtype == torch.int64
        assert torch.equal(split.inputs, torch.from_numpy(images))
        assert split.labels.tolist() == labels.tolist()


def test_decoded_archive_is_cached_then_rebuilt_when_the_archive_changes(root, fake_mnistm, monkeypatch):
    fake_mnistm()
    first = mnistm(root, download=False)
    assert len(cache_files(root, "archive")) == 1
    with monkeypatch.context() as patch:
        patch.setattr(module, "decode_archive", never)
        assert torch.equal(mnistm(root, download=False).train.inputs, first.train.inputs)
    written = fake_mnistm(seed=5)
    changed = mnistm(root, download=False)
    assert torch.equal(changed.train.inputs, torch.from_numpy(written["train"][0]))
    assert len(cache_files(root, "archive")) == 2


@pytest.mark.parametrize("download", [False, True])
def test_missing_archive_is_one_line_naming_folder_url_and_the_alternative(root, download):
    with pytest.raises(UserError) as error:
        mnistm(root, download=download)
    message = str(error.value)
    assert "\n" not in message
    assert f"MNIST-M not found in {root / 'MNIST-M'} (it has no automatic download)" in message
    assert "drive.google.com" in message and "place mnist_m.tar.gz in" in message
    assert "dataset.options.mnistm_source=generate" in message


def test_unknown_source_is_a_user_error(root):
    with pytest.raises(UserError, match="mnistm_source must be 'archive' or 'generate', got 'svhn'"):
        mnistm(root, mnistm_source="svhn")


def position_photo(height, width):
    """A photo whose pixels hold their own row (channel 0) and column (channel 1)."""
    rows = torch.arange(height)[:, None].expand(height, width)
    columns = torch.arange(width)[None, :].expand(height, width)
    return torch.stack([rows, columns, torch.full_like(rows, 7)]).to(torch.uint8)


def test_blend_is_the_absolute_difference_to_a_random_photo_crop():
    photos = [position_photo(40, 60), position_photo(60, 35)]
    zeros = torch.zeros(50, 1, 28, 28, dtype=torch.uint8)
    patches = blend(zeros, photos, torch.Generator().manual_seed(3))
    steps = torch.arange(28)
    for patch in patches:
        assert torch.equal(patch[0], (patch[0, 0, 0] + steps)[:, None].expand(28, 28))
        assert torch.equal(patch[1], (patch[1, 0, 0] + steps)[None, :].expand(28, 28))
    assert patches[:, 0].max() >= 30 and patches[:, 1].max() >= 30
    digits = torch.randint(0, 256, (50, 1, 28, 28), dtype=torch.uint8)
    blended = blend(digits, photos, torch.Generator().manual_seed(3))
    assert torch.equal(blended, (patches.short() - digits.short()).abs().to(torch.uint8))


def generated(root, seed, cache):
    return mnistm(root, download=False, mnistm_source="generate", mnistm_seed=seed, cache_dir=str(cache))


def test_generated_mnistm_is_fixed_by_its_seed(root, tmp_path, fake_idx, fake_bsds):
    digits = fake_idx()
    fake_bsds()
    first, again = generated(root, 0, tmp_path / "a"), generated(root, 0, tmp_path / "b")
    other = generated(root, 1, tmp_path / "a")
    # 32×32 like the published archive, so both go through the same resize to the task size
    assert first.train.inputs.shape == (12, 3, 32, 32) and first.test.inputs.shape == (6, 3, 32, 32)
    assert first.train.labels.tolist() == digits["train"][1].tolist()
    assert torch.equal(first.train.inputs, again.train.inputs)
    assert torch.equal(first.test.inputs, again.test.inputs)
    assert not torch.equal(first.train.inputs, other.train.inputs)


def test_generated_cache_is_reused_until_a_source_changes(
    root, tmp_path, fake_idx, fake_bsds, monkeypatch
):
    fake_idx()
    fake_bsds()
    first = generated(root, 0, tmp_path / "cache")
    with monkeypatch.context() as patch:
        patch.setattr(module, "generate", never)
        assert torch.equal(generated(root, 0, tmp_path / "cache").train.inputs, first.train.inputs)
    fake_bsds(seed=9)
    assert not torch.equal(generated(root, 0, tmp_path / "cache").train.inputs, first.train.inputs)
    assert len(list((tmp_path / "cache").glob("mnistm-generated-*.pt"))) == 2


@pytest.mark.real_data
def test_official_archive_loads_through_the_cache(data_root, monkeypatch):
    domain = mnistm(data_root, download=False)
    assert domain.train.inputs.shape == (59001, 3, 32, 32)
    assert domain.test.inputs.shape == (9001, 3, 32, 32)
    assert domain.train.inputs.dtype == torch.uint8
    assert domain.train.labels.tolist()[:5] == [5, 0, 4, 1, 9]
    assert torch.bincount(domain.test.labels).tolist()[:3] == [878, 1016, 933]
    assert list(cache_folder(data_root).glob("mnistm-archive-*.pt"))
    monkeypatch.setattr(module, "decode_archive", never)
    assert torch.equal(mnistm(data_root, download=False).test.inputs, domain.test.inputs)
