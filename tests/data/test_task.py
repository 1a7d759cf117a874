"""Building tasks: every task YAML on stand-ins, shared options, unknown domains, a missing root."""

import inspect
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import transferbench
from transferbench.data import DOMAINS, build_task
from transferbench.data.digits import usps
from transferbench.errors import UserError

#: The stand-in writers (tests/data/conftest.py) each task YAML reads.
STAND_INS = {
    "fashion_mnist": [("fake_idx", {"dataset": "Fashion-MNIST", "folder": "FashionMNIST"})],
    "fashion_mnist_a": [("fake_idx", {"dataset": "Fashion-MNIST", "folder": "FashionMNIST"})],
    "fashion_mnist_b": [("fake_idx", {"dataset": "Fashion-MNIST", "folder": "FashionMNIST"})],
    "mnist": [("fake_idx", {})],
    "mnist_mnistm": [("fake_idx", {}), ("fake_mnistm", {})],
    "mnist_mnistm_generated": [("fake_idx", {}), ("fake_bsds", {})],
    "mnist_usps": [("fake_idx", {}), ("fake_usps", {})],
    "mnist_zero_shot": [("fake_idx", {})],
    "moons": [],
    "digits_self_taught": [("fake_bsds", {})],
    "rotated_mnist": [("fake_idx", {})],
    "selective_usps": [("fake_usps", {}), ("fake_idx", {}), ("fake_mnistm", {}),
                       ("fake_idx", {"dataset": "Fashion-MNIST", "folder": "FashionMNIST"})],
    "office31": [("fake_office31", {})],
    "svhn_mnist": [("fake_svhn", {}), ("fake_idx", {})],
    "synthetic_office31": [],
    "usps": [("fake_usps", {})],
    "usps_mnist": [("fake_usps", {}), ("fake_idx", {})],
}

#: Settings a task needs on its stand-ins, which hold a few images of a few classes.
STAND_IN_OVERRIDES = {
    "selective_usps": ["dataset.labels_per_class=null"],
    "mnist_zero_shot": ["dataset.zero_shot.unseen=[3,8]"],  # classes the 6 test stand-ins hold
    "synthetic_office31": ["dataset.options.train=8", "dataset.options.test=4"],  # small: random images
}


def test_every_task_yaml_has_stand_ins():
    task_yamls = (Path(transferbench.__file__).parent / "conf" / "dataset").glob("*.yaml")
    assert sorted(STAND_INS) == sorted(path.stem for path in task_yamls)


@pytest.mark.parametrize("choice", sorted(STAND_INS))
def test_every_task_yaml_builds_with_its_options(request, make_config, root, choice):
    """Each domain gets the shared options its builder accepts (MNIST never sees mnistm_source)."""
    for writer, arguments in STAND_INS[choice]:
        request.getfixturevalue(writer)(**arguments)
    cfg = make_config(f"dataset={choice}", *STAND_IN_OVERRIDES.get(choice, [])).dataset
    task = build_task(cfg, root, download=False)
    for split in (task.source.train, task.source.test, task.target.train, task.target.test):
        assert split.labels.dtype == torch.int64
        assert 0 <= split.labels.min() <= split.labels.max() < cfg.num_classes
        if "image_size" in cfg:
            assert split.inputs.dtype == torch.uint8
            assert split.inputs.shape[1:] == (cfg.channels, cfg.image_size, cfg.image_size)


@pytest.mark.parametrize("name", DOMAINS.names())
def test_domain_builders_take_root_and_download_then_named_options(name):
    parameters = list(inspect.signature(DOMAINS.get(name)).parameters.values())
    assert all(p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) for p in parameters)
    names = [p.name for p in parameters]
    assert names[:2] == ["root", "download"] or not {"root", "download"} & set(names)
    assert all(p.default is not p.empty for p in parameters if p.name not in ("root", "download"))


def test_an_option_no_domain_accepts_is_one_line(make_config, tmp_path):
    cfg = make_config("dataset=mnist_usps", "+dataset.options.test_fracton=0.5").dataset
    with pytest.raises(UserError) as error:
        build_task(cfg, tmp_path, download=False)
    assert str(error.value) == (
        "dataset.options.test_fracton is not an option of task mnist_usps (domains mnist, usps); "
        "valid options: cache_dir"
    )


def test_an_option_either_domain_accepts_is_valid(make_config):
    cfg = make_config("dataset=moons", "+dataset.options.sample=10").dataset
    with pytest.raises(UserError, match="valid options: noise, rotation, samples, seed$"):
        build_task(cfg, Path("data"), download=False)
    cfg = make_config("dataset=moons", "dataset.options.rotation=90").dataset
    assert len(build_task(cfg, Path("data"), download=False).target.train) == 1000


def test_an_option_of_the_wrong_type_is_one_line(make_config):
    cfg = make_config("dataset=moons", "dataset.options.noise=abc").dataset
    with pytest.raises(UserError) as error:
        build_task(cfg, Path("data"), download=False)
    assert str(error.value) == "domain 'moons': noise must be a float, got 'abc'; check dataset.options.noise"


@pytest.mark.parametrize("role", ["source", "target"])
def test_unknown_domain_names_its_role_and_task(make_config, tmp_path, role):
    cfg = make_config("dataset=mnist_usps", f"dataset.{role}=mnsit").dataset
    with pytest.raises(UserError) as error:
        build_task(cfg, tmp_path, download=False)
    assert str(error.value) == (
        f"unknown domain 'mnsit' (dataset.{role} of task mnist_usps); "
        f"choose one of: {', '.join(DOMAINS.names())}"
    )


@pytest.mark.parametrize("download", [True, False])
def test_missing_root_is_one_line_and_nothing_is_created(make_config, tmp_path, monkeypatch, download):
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "no such" / "data"
    with pytest.raises(UserError) as error:
        build_task(make_config("dataset=mnist_usps").dataset, root, download=download)
    assert str(error.value) == (
        f"data.root {root} does not exist; create it (mkdir -p '{root}') "
        "or point data.root / TRANSFERBENCH_DATA at your data folder"
    )
    assert list(tmp_path.iterdir()) == []


def test_moons_read_no_files_so_need_no_root(make_config, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    task = build_task(make_config("dataset=moons").dataset, Path("data"), download=True)
    assert task.source.train.inputs.shape == (1000, 2)
    assert list(tmp_path.iterdir()) == []


def test_usps_is_resized_once_with_the_chosen_interpolation(make_config, root, fake_idx, fake_usps):
    """MNIST is already 28×28 and stays untouched; USPS's 16×16 digits differ by interpolation."""
    fake_idx()
    fake_usps()
    tasks = {
        mode: build_task(make_config("dataset=mnist_usps", f"+dataset.interpolation={mode}").dataset, root, False)
        for mode in ("bilinear", "bicubic", "pil_bicubic")
    }
    assert torch.equal(tasks["bilinear"].source.train.inputs, tasks["bicubic"].source.train.inputs)
    bilinear, bicubic = tasks["bilinear"].target.train.inputs, tasks["bicubic"].target.train.inputs
    assert bilinear.shape == bicubic.shape == (len(bilinear), 1, 28, 28)
    assert not torch.equal(bilinear, bicubic)
    usps_16 = usps(root, download=False).train.inputs[:, 0].numpy()
    pil = [np.asarray(Image.fromarray(image).resize((28, 28), Image.BICUBIC)) for image in usps_16]
    assert np.array_equal(tasks["pil_bicubic"].target.train.inputs[:, 0].numpy(), np.stack(pil))
    assert not torch.equal(tasks["pil_bicubic"].target.train.inputs, bicubic)
    cfg = make_config("dataset=mnist_usps", "+dataset.interpolation=nearest").dataset
    with pytest.raises(UserError, match="dataset.interpolation=nearest is not one of: bilinear, bicubic, pil_bicubic"):
        build_task(cfg, root, download=False)
