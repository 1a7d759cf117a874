"""Yosinski et al., "How transferable are features in deep neural networks?" (NIPS 2014), on
Fashion-MNIST split into disjoint halves A and B (transferbench/conf/dataset/fashion_mnist_{a,b}.yaml).

    python scripts/yosinski.py --out runs/yosinski --seeds 0,1 [Hydra overrides ...]
    python scripts/plot_transfer_curve.py runs/yosinski --out docs/yosinski_fashion.png

Phase 1 trains the base networks baseA and baseB (method=source_only), one per seed. Phase 2 trains
on B, for every n = 1 … depth (the backbone's blocks), from baseB and from baseA (same seed): the
first n blocks copied and frozen (BnB, AnB) or copied and fine-tuned (BnB+, AnB+), the blocks above
re-initialised (method=finetune method.copy=n). Each phase is a Hydra multirun per base, so runs
already finished are skipped and the same command resumes an interrupted experiment. The Hydra
overrides given last (e.g. trainer.iterations=300) apply to every run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from transferbench.config import compose_config
from transferbench.models import build_model
from transferbench.sweep import multirun

DATASETS = {"A": "fashion_mnist_a", "B": "fashion_mnist_b"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="experiment folder (holds base/, transfer/)")
    parser.add_argument("--seeds", default="0,1", help="comma-separated seeds (default: %(default)s)")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides for every run")
    args = parser.parse_args(argv)
    out, seeds = args.out.resolve(), args.seeds
    multirun(
        out / "base", "${dataset.name}/seed${seed}", "method=source_only",
        f"dataset={','.join(DATASETS.values())}", f"seed={seeds}", *args.overrides,
    )
    copies = ",".join(str(n) for n in range(1, depth(args.overrides) + 1))
    for base in ("B", "A"):
        multirun(
            out / "transfer", f"{base}nB/copy${{method.copy}}_${{method.copied}}/seed${{seed}}",
            "method=finetune", f"dataset={DATASETS['B']}", f"seed={seeds}",
            f"backbone.weights={out / 'base' / DATASETS[base]}/seed${{seed}}",
            f"method.copy={copies}", "method.copied=freeze,finetune", *args.overrides,
        )
    return 0


def depth(overrides: list[str]) -> int:
    """The number of blocks of the backbone the runs on B use."""
    cfg = compose_config(f"dataset={DATASETS['B']}", *overrides)
    side = cfg.dataset.image_size
    model = build_model(cfg.backbone, (cfg.dataset.channels, side, side), cfg.dataset.num_classes)
    return len(model.backbone.blocks)


if __name__ == "__main__":
    sys.exit(main())
