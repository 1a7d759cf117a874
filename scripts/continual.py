"""The continual-learning reproductions of docs/results/continual_multitask.md, as Hydra multiruns.

    python scripts/continual.py lwf --out runs/continual [--seeds 0,1,2] [Hydra overrides ...]
    python scripts/make_table.py runs/continual/lwf/new --metric old_acc target_acc

Each experiment first trains the old network (method=source_only, seed 0), then every arm from it,
so that the arms of a table start from the same network (results.json records its config digest
under ``provenance.old`` and tables keep arms of different old networks apart). The protocol was
fixed here before any arm was run:

- ``lwf`` (Li & Hoiem, ECCV 2016, Table 1's arms): the old task is Fashion-MNIST half A
  (``fashion_mnist_a``: T-shirt, Trouser, Sandal, Bag, Ankle boot), trained for 2,000 SGD steps of
  64 images at lr 0.03 (twice the task's protocol) with the convnet; the new tasks are the other half
  (``fashion_mnist_b``, near) and MNIST (far, 10 classes), each learnt for 1,000 steps of 64 images at
  lr 0.01 (a third of the old network's, as fine-tuning lowers it) with a warm-up of 20 % of the
  steps for every arm: fine-tuning, fine-tuning the fc blocks, feature extraction, LFL, LwF and
  joint training.

Every sweep skips finished runs and resumes killed ones, so the same command continues an
interrupted experiment. Overrides given last apply to every run (e.g. ``trainer.device=cuda``, or
``hydra/launcher=joblib hydra.launcher.n_jobs=2 trainer.threads=1`` for parallel runs).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from transferbench.sweep import multirun

SEED = "seed${seed}"
ARM = "${dataset.name}/${method.name}/seed${seed}"
OLD_TASK = ["dataset=fashion_mnist_a", "backbone=convnet", "method=source_only", "trainer.iterations=2000"]
NEW_TASKS = ["dataset=fashion_mnist_b,mnist", "backbone=convnet"]
NEW_PROTOCOL = ["trainer.iterations=1000", "trainer.eval_every=500", "optimizer.lr=0.01"]
LWF_ARMS = ("continual_finetune", "continual_finetune_fc", "continual_feature_extraction", "lfl", "lwf", "joint")


def lwf(out: Path, seeds: str, overrides: list[str]) -> bool:
    old = out / "lwf" / "old"
    multirun(old, SEED, *OLD_TASK, "seed=0", *overrides)
    new = out / "lwf" / "new"
    common = [*NEW_TASKS, *NEW_PROTOCOL, f"method.old={old / 'seed0'}", f"seed={seeds}", *overrides]
    # One sweep per arm: Hydra applies method.* overrides before it sweeps method=a,b.
    return all([multirun(new, ARM, f"method={arm}", *common, required=False) for arm in LWF_ARMS])


EXPERIMENTS = {"lwf": lwf}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("experiment", choices=EXPERIMENTS)
    parser.add_argument("--out", type=Path, required=True, help="experiment folder")
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated seeds (default: %(default)s)")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides for every run")
    args = parser.parse_intermixed_args(argv)
    if not EXPERIMENTS[args.experiment](args.out.resolve(), args.seeds, args.overrides):
        print("error: some runs failed; their results.json say why (make_table.py lists them)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
