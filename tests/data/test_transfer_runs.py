"""Transfer from a base network on stand-ins: Fashion-MNIST's class halves, a base run on a digits
net, then fine-tuning and feature extraction from it; fine-tuning policies on Office-31 with ResNet."""

import pytest
import torch

from transferbench.data import build_task
from transferbench.data.fashion import fashion_mnist
from transferbench.errors import UserError
from transferbench.experiment import run

HALF_A = [0, 1, 5, 8, 9]
TINY = ["trainer.iterations=2", "trainer.eval_every=2", "trainer.batch_size=4"]


def backbone_state(run_dir):
    method = torch.load(run_dir / "checkpoint.pt", weights_only=True)["method"]
    return {key: value for key, value in method.items() if key.startswith("model.backbone.")}


def test_fashion_half_keeps_its_classes_relabelled_in_order(root, fake_idx, make_config):
    written = fake_idx(dataset="Fashion-MNIST", folder="FashionMNIST", seed=3)
    task = build_task(make_config("dataset=fashion_mnist_a").dataset, root, download=False)
    assert task.num_classes == 5 and torch.equal(task.source.train.labels, task.target.train.labels)
    for split, (images, labels) in zip((task.source.train, task.source.test), written.values()):
        kept = [index for index, label in enumerate(labels) if label in HALF_A]
        assert split.labels.tolist() == [HALF_A.index(labels[index]) for index in kept]
        assert torch.equal(split.inputs[:, 0], torch.from_numpy(images[kept]))


@pytest.mark.parametrize("classes", [[0, 0, 1], [3, 10], []])
def test_bad_class_lists_are_one_line(root, fake_idx, classes):
    fake_idx(dataset="Fashion-MNIST", folder="FashionMNIST")
    with pytest.raises(UserError, match=r"Fashion-MNIST option classes=.* must list distinct class indices in 0\.\.9"):
        fashion_mnist(root, download=False, classes=classes)


def test_base_network_then_finetune_and_feature_extraction_on_a_digits_net(root, fake_idx, make_config, tmp_path):
    fake_idx(dataset="Fashion-MNIST", folder="FashionMNIST")
    common = ["dataset=fashion_mnist", "backbone=lenet", f"data.root={root}", *TINY]
    run(make_config(*common, "method=source_only"), tmp_path / "base")
    weights = f"backbone.weights={tmp_path / 'base'}"
    tuned = run(
        make_config(*common, weights, "method=finetune", "method.policy={conv1:freeze,conv2:finetune,fc:scratch}"),
        tmp_path / "finetune",
    )
    assert tuned["status"] == "completed" and tuned["config"]["backbone"]["weights"] == str(tmp_path / "base")
    base, after = backbone_state(tmp_path / "base"), backbone_state(tmp_path / "finetune")
    changed = {key.split(".")[3] for key in base if not torch.equal(after[key], base[key])}
    assert changed == {"conv2", "fc"}
    extracted = run(
        make_config(
            *common, weights, "method=feature_extraction", "method.layers=[conv1,conv2,fc]",
            "method.normalization=discretize", "trainer.iterations=1",
        ),
        tmp_path / "features",
    )
    assert extracted["status"] == "completed" and 0 <= extracted["target_acc"] <= 100
    fixed = backbone_state(tmp_path / "features")
    assert all(torch.equal(fixed[key], value) for key, value in base.items())


OFFICE = ["dataset=office31", "backbone=resnet18", "backbone.options.pretrained=false", *TINY]


def test_finetune_policies_run_on_office31_with_resnet(root, fake_office31, make_config, tmp_path):
    fake_office31()
    cfg = make_config(
        *OFFICE, f"data.root={root}", "method=finetune", "method.policy={conv1:freeze,layer1:freeze,layer4:scratch}",
        "method.lr_mult={layer3:0.5}",
    )
    results = run(cfg, tmp_path)
    assert results["status"] == "completed" and results["iterations"] == 2
    assert results["config"]["method"]["policy"] == {"conv1": "freeze", "layer1": "freeze", "layer4": "scratch"}


def test_feature_extraction_runs_on_office31_with_resnet(root, fake_office31, make_config, tmp_path):
    fake_office31()
    cfg = make_config(
        *OFFICE, f"data.root={root}", "method=feature_extraction", "method.layers=[layer3,pool]",
        "method.normalization=standardize", "method.classifier=logistic", "trainer.iterations=1",
    )
    assert run(cfg, tmp_path)["status"] == "completed"
