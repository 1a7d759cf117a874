"""Fine-tuning policies: frozen blocks stay put (BatchNorm included), fine-tuned ones move,
scratch ones are re-initialised, and each block's lr multiplier reaches the optimizer."""

import copy
import re
from collections import OrderedDict

import pytest
import torch
from torch import nn

from transferbench.errors import UserError
from transferbench.methods import Batch, build_method
from transferbench.methods.finetune import Finetune, block_policy, reinitialize
from transferbench.models import Backbone, Classifier
from transferbench.experiment import build_optimizer

BLOCKS = ["conv1", "conv2", "fc"]


def small_model(lr_mult: float = 1.0) -> Classifier:
    """Three blocks with BatchNorm in the convolutional ones, on 8×8 gray images."""
    torch.manual_seed(0)
    blocks = OrderedDict(
        conv1=nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU()),
        conv2=nn.Sequential(nn.Conv2d(4, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten()),
        fc=nn.Sequential(nn.Linear(4, 8), nn.ReLU()),
    )
    return Classifier(Backbone(blocks, 8), (1, 8, 8), 3, backbone_lr_mult=lr_mult)


def state(module: nn.Module) -> dict[str, torch.Tensor]:
    return {name: value.clone() for name, value in module.state_dict().items()}


def train_steps(make_config, method: Finetune, steps: int = 3) -> torch.optim.Optimizer:
    optimizer = build_optimizer(make_config().optimizer, method)
    method.train()
    torch.manual_seed(1)
    batch = Batch(torch.randn(16, 1, 8, 8), torch.randint(0, 3, (16,)))
    for _ in range(steps):
        loss = sum(method.losses(batch, Batch(batch.inputs), 0.0).values())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return optimizer


@pytest.mark.parametrize(
    ("copy", "copied", "rest", "expected"),
    [
        (None, "finetune", "scratch", ["finetune", "finetune", "finetune"]),
        (2, "freeze", "scratch", ["freeze", "freeze", "scratch"]),
        ("conv1", "finetune", "scratch", ["finetune", "scratch", "scratch"]),
        (1, "freeze", "finetune", ["freeze", "finetune", "finetune"]),
        (0, "freeze", "scratch", ["scratch", "scratch", "scratch"]),
    ],
)
def test_shorthands_give_one_mode_per_block(copy, copied, rest, expected):
    assert list(block_policy(BLOCKS, copy, copied, rest, {}).values()) == expected


def test_policy_overrides_single_blocks():
    assert block_policy(BLOCKS, 2, "freeze", "scratch", {"conv2": "finetune"}) == {
        "conv1": "freeze", "conv2": "finetune", "fc": "scratch",
    }


def test_frozen_stay_finetuned_move_scratch_restart(make_config):
    model = small_model()
    loaded = state(model.backbone)
    method = Finetune(model, policy={"conv1": "freeze", "conv2": "finetune", "fc": "scratch"})
    after_init = state(model.backbone)
    assert all(torch.equal(after_init[k], loaded[k]) for k in loaded if not k.startswith("blocks.fc"))
    assert not torch.equal(after_init["blocks.fc.0.weight"], loaded["blocks.fc.0.weight"])
    assert not torch.equal(after_init["blocks.fc.0.bias"], loaded["blocks.fc.0.bias"])
    train_steps(make_config, method)
    trained = state(model.backbone)
    frozen = [k for k in loaded if k.startswith("blocks.conv1")]
    assert {k for k in frozen if k.endswith("running_mean")} and all(torch.equal(trained[k], loaded[k]) for k in frozen)
    assert not torch.equal(trained["blocks.conv2.0.weight"], loaded["blocks.conv2.0.weight"])
    assert not torch.equal(trained["blocks.conv2.1.running_mean"], loaded["blocks.conv2.1.running_mean"])
    assert not torch.equal(trained["blocks.fc.0.weight"], after_init["blocks.fc.0.weight"])


def test_scratch_blocks_get_a_fresh_default_initialisation():
    expected = copy.deepcopy(small_model().backbone.blocks)
    torch.manual_seed(5)
    reinitialize(expected["conv2"])
    reinitialize(expected["fc"])
    model = small_model()
    torch.manual_seed(5)
    Finetune(model, copy=1)
    for name in ("conv2", "fc"):
        for key, value in expected[name].state_dict().items():
            assert torch.equal(model.backbone.blocks[name].state_dict()[key], value), key


def test_batch_norm_of_frozen_blocks_stays_in_eval_mode():
    method = Finetune(small_model(), copy=1, copied="freeze", rest="finetune")
    for _ in range(2):  # as built (the engine trains without calling train()), then after train()
        norms = {name: block[1].training for name, block in method.model.backbone.blocks.items() if name != "fc"}
        assert norms == {"conv1": False, "conv2": True}
        assert method.model.backbone.blocks["conv1"].training and method.model.head.training
        method.eval().train()
    assert not method.eval().model.backbone.blocks["conv2"][1].training


def test_lr_multipliers_reach_the_optimizer_groups(make_config):
    cfg = make_config(
        "method=finetune", "method.copy=2", "method.policy={conv1:freeze}", "method.lr_mult={fc:2.0}",
        "method.rest=finetune",
    )
    method = build_method(cfg.method, small_model(lr_mult=0.1))
    optimizer = build_optimizer(cfg.optimizer, method)
    lr = cfg.optimizer.lr
    assert {group["name"]: group["lr"] for group in optimizer.param_groups} == pytest.approx(
        {"conv2": 0.1 * lr, "fc": 2.0 * lr, "head": lr}
    )
    optimized = {id(p) for group in optimizer.param_groups for p in group["params"]}
    frozen = list(method.model.backbone.blocks["conv1"].parameters())
    assert not any(id(p) in optimized for p in frozen) and not any(p.requires_grad for p in frozen)
    assert len(optimized) == sum(p.requires_grad for p in method.parameters())


def test_scratch_blocks_learn_at_the_base_rate_by_default(make_config):
    method = build_method(make_config("method=finetune", "method.copy=1").method, small_model(lr_mult=0.1))
    assert {group["name"]: group["lr_mult"] for group in method.parameter_groups()} == {
        "conv1": 0.1, "conv2": 1.0, "fc": 1.0, "head": 1.0,
    }


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"policy": {"layer9": "freeze"}}, "unknown block 'layer9' in method.policy; choose one of: conv1, conv2, fc"),
        ({"policy": {"conv1": "frozen"}},
         "method.policy.conv1=frozen is not a policy; choose one of: freeze, finetune, scratch"),
        ({"copy": 4}, "method.copy=4 must be a block name or a count from 0 to 3 (the blocks: conv1, conv2, fc)"),
        ({"copy": "layer1"}, "unknown block 'layer1' in method.copy; choose one of: conv1, conv2, fc"),
        ({"copied": "scratch"}, "method.copied=scratch is not a policy; choose one of: freeze, finetune"),
        ({"copied": "freeze", "lr_mult": {"conv1": 0.5}}, "method.lr_mult.conv1 is set but block conv1 is frozen"),
        ({"lr_mult": {"conv1": -1}}, "method.lr_mult.conv1 must be a positive number, got -1"),
    ],
)
def test_bad_policies_are_one_line(options, message):
    with pytest.raises(UserError, match=re.escape(message)):
        Finetune(small_model(), **options)
