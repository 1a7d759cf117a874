"""Fine-tuning with a policy per backbone block: freeze it, fine-tune it, or re-initialise it.

The backbone's ordered blocks (conv1 … layer4, pool for ResNet; conv1, conv2, fc… for digit nets)
come from ImageNet or from an earlier run (``backbone.weights``). Each block is

- ``freeze``: kept as loaded, no gradient, its BatchNorm layers in eval mode (they normalise with
  the statistics they were trained with, as in a fixed feature extractor);
- ``finetune``: kept as loaded and trained, at ``backbone.lr_mult`` × the base lr unless
  ``lr_mult`` names the block (Girshick et al., CVPR 2014; Donahue et al., ICML 2014);
- ``scratch``: re-initialised with each layer's default initialisation (``reset_parameters``) and
  trained at 1× unless ``lr_mult`` names it.

The shorthand ``copy=n`` keeps the first n blocks (``copied``: freeze or finetune) and treats the
rest as ``rest`` (scratch by default): Yosinski et al. (NIPS 2014, §2) copy the first n layers of
a base network and freeze them (AnB) or fine-tune them (AnB+), re-initialising the layers above.
``policy`` then overrides single blocks. The bottleneck and the head are new layers, trained at 1×;
the loss is the cross-entropy on the labelled source batches (the task to transfer to: in a
dataset whose source is its target, the ordinary training set).
"""

from __future__ import annotations

from typing import Mapping

from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from transferbench.errors import UserError
from transferbench.methods.registry import METHODS
from transferbench.methods.source_only import SourceOnly
from transferbench.models import Classifier

MODES = ("freeze", "finetune", "scratch")


@METHODS.register("finetune")
class Finetune(SourceOnly):
    def __init__(
        self, model: Classifier, copy: int | str | None = None, copied: str = "finetune",
        rest: str = "scratch", policy: Mapping[str, str] | None = None,
        lr_mult: Mapping[str, float] | None = None,
    ) -> None:
        super().__init__(model)
        self.policy = block_policy(list(model.backbone.blocks), copy, copied, rest, dict(policy or {}))
        self.lr_mults = block_lr_mults(self.policy, dict(lr_mult or {}), model.backbone_lr_mult)
        for name, mode in self.policy.items():
            block = model.backbone.blocks[name]
            if mode == "scratch":
                reinitialize(block)
            block.requires_grad_(mode != "freeze")
        self.train(self.training)

    def parameter_groups(self) -> list[dict]:
        """One group per trained block at its lr multiplier, then the new layers at 1×."""
        groups = []
        for name, mult in self.lr_mults.items():
            params = list(self.model.backbone.blocks[name].parameters())
            if params:
                groups.append({"params": params, "lr_mult": mult, "name": name})
        new = [p for p in self.model.new_parameters() if p.requires_grad]
        return groups + [{"params": new, "lr_mult": 1.0, "name": "head"}]

    def train(self, mode: bool = True) -> "Finetune":
        """Train mode everywhere except in the BatchNorm layers of frozen blocks."""
        super().train(mode)
        for name in self.frozen():
            for module in self.model.backbone.blocks[name].modules():
                if isinstance(module, _BatchNorm):
                    module.eval()
        return self

    def frozen(self) -> list[str]:
        return [name for name, mode in self.policy.items() if mode == "freeze"]


def block_policy(
    blocks: list[str], copy: int | str | None, copied: str, rest: str, overrides: dict[str, str]
) -> dict[str, str]:
    """The mode of every block: ``copied`` for the first ``copy`` blocks, ``rest`` after them,
    then the per-block ``overrides``."""
    _check_mode("method.copied", copied, ("freeze", "finetune"))
    _check_mode("method.rest", rest, MODES)
    count = _copy_count(copy, blocks)
    policy = {name: copied if index < count else rest for index, name in enumerate(blocks)}
    for name, mode in overrides.items():
        _check_block("method.policy", name, blocks)
        _check_mode(f"method.policy.{name}", mode, MODES)
    return policy | overrides


def block_lr_mults(policy: dict[str, str], overrides: dict[str, float], finetune: float) -> dict[str, float]:
    """The lr multiplier of every trained block: ``finetune`` (the backbone's) for fine-tuned
    blocks, 1 for re-initialised ones, unless ``overrides`` names the block."""
    for name, mult in overrides.items():
        _check_block("method.lr_mult", name, list(policy))
        if policy[name] == "freeze":
            raise UserError(f"method.lr_mult.{name} is set but block {name} is frozen; drop one of the two")
        if isinstance(mult, bool) or not isinstance(mult, (int, float)) or mult <= 0:
            raise UserError(f"method.lr_mult.{name} must be a positive number, got {mult!r}")
    trained = {name: mode for name, mode in policy.items() if mode != "freeze"}
    defaults = {name: finetune if mode == "finetune" else 1.0 for name, mode in trained.items()}
    return defaults | {name: float(mult) for name, mult in overrides.items()}


def reinitialize(module: nn.Module) -> None:
    """Draw fresh parameters for every layer below ``module`` (and reset BatchNorm statistics)."""
    for layer in module.modules():
        if hasattr(layer, "reset_parameters"):
            layer.reset_parameters()


def _copy_count(copy: int | str | None, blocks: list[str]) -> int:
    if copy is None:
        return len(blocks)
    if isinstance(copy, str):
        _check_block("method.copy", copy, blocks)
        return blocks.index(copy) + 1
    if isinstance(copy, bool) or not isinstance(copy, int) or not 0 <= copy <= len(blocks):
        raise UserError(
            f"method.copy={copy!r} must be a block name or a count from 0 to {len(blocks)} "
            f"(the blocks: {', '.join(blocks)})"
        )
    return copy


def _check_block(option: str, name: str, blocks: list[str]) -> None:
    if name not in blocks:
        raise UserError(f"unknown block '{name}' in {option}; choose one of: {', '.join(blocks)}")


def _check_mode(option: str, mode: str, choices: tuple[str, ...]) -> None:
    if mode not in choices:
        raise UserError(f"{option}={mode} is not a policy; choose one of: {', '.join(choices)}")
