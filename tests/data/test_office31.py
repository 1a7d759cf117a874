"""Office-31 on stand-ins in its real layout: labels, the cache, missing data, the task, one run."""

from urllib.error import URLError

import pytest
import torch

from tests.data.conftest import class_colour
from transferbench.data import build_task
from transferbench.data import office31 as module
from transferbench.data.office31 import CLASSES, office31
from transferbench.errors import UserError
from transferbench.experiment import run


def never(*_):
    raise AssertionError("decoded again instead of reading the cache")


def load(root, domain="amazon"):
    return office31(domain, root, download=False)


def assert_colours(images, labels):
    """Each image is its class's solid colour (up to JPEG and resizing error)."""
    means = images.float().mean(dim=(2, 3))
    expected = torch.tensor([class_colour(label) for label in labels], dtype=torch.float32)
    assert (means - expected).abs().max() < 3


def test_class_folders_give_256_pixel_images_and_sorted_class_labels(root, fake_office31):
    written = fake_office31()["amazon"]
    domain = load(root)
    assert domain.train.inputs.shape == (6, 3, 256, 256) and domain.train.inputs.dtype == torch.uint8
    assert domain.train.labels.tolist() == [label for _, label in written] == [0, 0, 1, 1, 17, 17]
    assert_colours(domain.train.inputs, domain.train.labels.tolist())
    assert torch.equal(domain.test.inputs, domain.train.inputs)
    assert torch.equal(domain.test.labels, domain.train.labels)


def test_tllib_image_list_sets_the_order_and_labels(root, fake_office31):
    written = fake_office31(lists=True)["webcam"]
    listing = root / "office31" / "image_list" / "webcam.txt"
    listing.write_text("".join(f"{path} {label}\n" for path, label in reversed(written)))
    domain = load(root, "webcam")
    assert domain.train.labels.tolist() == [17, 17, 1, 1, 0, 0]
    assert_colours(domain.train.inputs, [17, 17, 1, 1, 0, 0])


@pytest.mark.parametrize(
    "line", ["webcam/images/mug/none.jpg 17", "webcam/images/mug/frame_0000.jpg 31", "x"]
)
def test_bad_image_list_line_is_one_line(root, fake_office31, line):
    fake_office31(lists=True)
    (root / "office31" / "image_list" / "webcam.txt").write_text(line + "\n")
    with pytest.raises(UserError, match=f"bad line '{line}' in .*webcam.txt: expected"):
        load(root, "webcam")


def test_unknown_class_folder_is_a_user_error(root, fake_office31):
    fake_office31()
    sofa = root / "office31" / "amazon" / "images" / "sofa"
    sofa.mkdir()
    (sofa / "a.jpg").write_bytes(b"")
    with pytest.raises(UserError, match="sofa is not an Office-31 class folder; expected one of: back_pack"):
        load(root)


def test_decoded_domain_is_cached_until_its_files_change(root, fake_office31, monkeypatch):
    fake_office31()
    first = load(root)
    with monkeypatch.context() as patch:
        patch.setattr(module, "decode", never)
        assert torch.equal(load(root).train.inputs, first.train.inputs)
    fake_office31(classes=("pen",))
    assert load(root).train.labels.tolist() == [0, 0, 1, 1, 17, 17, 19, 19]
    assert len(list((root / "transferbench-cache").glob("office31-amazon-*.pt"))) == 2


def test_missing_domain_is_one_line_naming_folder_url_and_layout(root, monkeypatch):
    with pytest.raises(UserError) as error:
        load(root, "dslr")
    message = str(error.value)
    assert "\n" not in message
    assert f"Office-31 not found in {root / 'office31'} (data.download=false;" in message
    assert "cloud.tsinghua.edu.cn" in message and "domain_adaptation_images.tar.gz" in message
    assert f"place dslr/images/<class>/*.jpg in {root / 'office31'}" in message

    def offline(*_, **__):
        raise URLError("no network")

    monkeypatch.setattr(module, "download_and_extract_archive", offline)
    with pytest.raises(UserError, match="its download failed: URLError"):
        office31("dslr", root, download=True)


OFFICE = ["dataset=office31", "backbone=resnet18", "backbone.options.pretrained=false"]


def test_task_crops_224_randomly_for_training_and_centrally_for_testing(make_config, root, fake_office31):
    fake_office31()
    task = build_task(make_config(*OFFICE).dataset, root, download=False)
    assert task.name == "office31_amazon_webcam" and task.input_shape == (3, 224, 224)
    images = torch.randint(0, 256, (6, 3, 256, 256), dtype=torch.uint8)
    first, second = task.augment_train(images), task.augment_train(images)
    assert first.shape == (6, 3, 224, 224) and first.dtype == torch.uint8
    assert not torch.equal(first, second)
    centre = images[..., 16:240, 16:240]
    assert torch.equal(task.prepare_eval(images), centre)
    assert torch.equal(task.eval_inputs(images), task.normalize(centre))


def test_source_and_target_must_be_office31_domains(make_config, root):
    with pytest.raises(UserError, match="dataset.target=mnist is not one of this dataset's domains: amazon"):
        build_task(make_config(*OFFICE, "dataset.target=mnist").dataset, root, download=False)


def test_source_only_runs_on_the_stand_in(make_config, root, fake_office31, tmp_path):
    fake_office31()
    cfg = make_config(
        *OFFICE, "method=source_only", f"data.root={root}", "trainer.iterations=2", "trainer.batch_size=4",
        "trainer.eval_every=2",
    )
    results = run(cfg, tmp_path)
    assert [record["iteration"] for record in results["history"]] == [2]
    assert 0 <= results["target_acc"] <= 100
    assert results["config"]["dataset"]["name"] == "office31_amazon_webcam"
    assert len(CLASSES) == cfg.dataset.num_classes
