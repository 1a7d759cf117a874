"""Checksums, their remembered verification, the cache folder and the download-or-explain step."""

import hashlib

import pytest
from torchvision import datasets

from transferbench.data import checksums
from transferbench.data.cache import cache_folder, write_cache_file
from transferbench.data.checksums import KNOWN, Checksum, digest, verify, verify_known
from transferbench.data.digits import mnist
from transferbench.data.download import ensure_files
from transferbench.data.fashion import fashion_mnist
from transferbench.errors import UserError

URL = "https://example.org/usps/"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_digest_of_a_glob_is_that_of_its_sha256sum_listing(tmp_path):
    (tmp_path / "b.jpg").write_bytes(b"bee")
    (tmp_path / "a.jpg").write_bytes(b"ay")
    (tmp_path / "notes.txt").write_bytes(b"ignored")
    listing = f"{sha256(b'ay')}  a.jpg\n{sha256(b'bee')}  b.jpg\n"
    assert digest(tmp_path / "*.jpg") == sha256(listing.encode())
    assert digest(tmp_path / "a.jpg", "md5") == hashlib.md5(b"ay").hexdigest()


def test_mismatch_is_one_line_with_expected_and_found(tmp_path):
    path = tmp_path / "usps.bz2"
    path.write_bytes(b"truncated")
    with pytest.raises(UserError) as error:
        verify(path, Checksum("sha256", "ab" * 32))
    message = str(error.value)
    assert "\n" not in message
    assert f"checksum mismatch for {path}: expected sha256 {'ab' * 32}, " in message
    assert f"found {sha256(b'truncated')};" in message
    assert "delete it and download it again" in message


def test_a_verified_file_is_hashed_again_only_once_it_changes(tmp_path, monkeypatch):
    path, stamps = tmp_path / "file", tmp_path / "stamps"
    path.write_bytes(b"original")
    expected = Checksum("sha256", sha256(b"original"))
    hashed = []
    real = checksums._file_digest
    monkeypatch.setattr(checksums, "_file_digest", lambda *args: hashed.append(args) or real(*args))
    verify(path, expected, stamps)
    verify(path, expected, stamps)
    assert len(hashed) == 1
    path.write_bytes(b"changed")
    with pytest.raises(UserError, match="checksum mismatch"):
        verify(path, expected, stamps)
    assert len(hashed) == 2


def test_svhn_md5s_are_those_torchvision_checks():
    splits = (datasets.SVHN.split_list[split] for split in ("train", "test"))
    expected = {name: md5 for _, name, md5 in splits}
    assert {name: known.digest for name, known in KNOWN["SVHN"].items()} == expected
    assert {known.algorithm for known in KNOWN["SVHN"].values()} == {"md5"}


@pytest.mark.parametrize(("loader", "folder"), [(mnist, "MNIST"), (fashion_mnist, "FashionMNIST")])
def test_loaders_refuse_files_that_are_not_the_published_ones(root, loader, folder):
    raw = root / folder / "raw"
    raw.mkdir(parents=True)
    for name in KNOWN["MNIST"]:
        (raw / name).write_bytes(b"not an idx file")
    with pytest.raises(UserError, match=f"checksum mismatch for {raw}/"):
        loader(root, download=False)


def test_cache_sits_beside_writable_data_else_in_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    data = tmp_path / "data"
    assert cache_folder(data) == data / "transferbench-cache"
    data.mkdir()
    data.chmod(0o555)
    try:
        assert cache_folder(data) == tmp_path / "home" / ".cache" / "transferbench"
    finally:
        data.chmod(0o755)
    assert cache_folder(data, str(tmp_path / "mine")) == tmp_path / "mine"


def test_unwritable_cache_is_a_user_error(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(UserError, match="set dataset.options.cache_dir to a writable folder"):
        write_cache_file(tmp_path / "file" / "x.pt", lambda stream: stream.write(b"x"))


def explained(folder, fetch, download):
    with pytest.raises(UserError) as error:
        ensure_files("USPS", folder, URL, fetch, download, folder / "cache")
    message = str(error.value)
    assert "\n" not in message
    assert f"USPS not found in {folder} (" in message
    assert f"download {URL} and place usps.bz2, usps.t.bz2 in {folder}" in message
    return message


def test_missing_files_without_download_are_explained_not_fetched(tmp_path):
    fetched = []
    assert "data.download=false" in explained(tmp_path, lambda: fetched.append(1), download=False)
    assert not fetched


def test_a_failed_download_never_passes_silently(tmp_path):
    def unreachable():
        raise OSError("network is unreachable\ndetails")

    message = explained(tmp_path, unreachable, download=True)
    assert "its download failed: OSError: network is unreachable)" in message
    assert "did not produce these files" in explained(tmp_path, lambda: None, True)


def test_a_corrupted_download_is_caught_by_its_checksum(tmp_path):
    def garbage():
        for name in KNOWN["USPS"]:
            (tmp_path / name).write_bytes(b"<html>quota exceeded</html>")

    with pytest.raises(UserError, match=f"checksum mismatch for {tmp_path}/usps.bz2"):
        ensure_files("USPS", tmp_path, URL, garbage, True, tmp_path / "cache")


@pytest.mark.real_data
@pytest.mark.parametrize(
    ("dataset", "folder"),
    [("MNIST", "MNIST/raw"), ("Fashion-MNIST", "FashionMNIST/raw"), ("USPS", "USPS"),
     ("MNIST-M", "MNIST-M"), ("BSDS500", "BSDS500")],
)
def test_real_files_match_the_known_checksums(data_root, dataset, folder):
    verify_known(dataset, data_root / folder)
