"""The continual and multi-task reproductions of docs/results/continual_multitask.md, as Hydra multiruns.

    python scripts/continual_multitask.py lwf         --out runs/continual [--seeds 0,1,2] [Hydra overrides ...]
    python scripts/continual_multitask.py progressive --out runs/continual
    python scripts/continual_multitask.py uncertainty --out runs/continual
    python scripts/make_table.py runs/continual/lwf --metric old_acc target_acc
    python scripts/make_table.py runs/continual/progressive --metric target_acc old_acc
    python scripts/continual_multitask.py selective   --out runs/continual
    python scripts/make_table.py runs/continual/uncertainty --metric target_acc angle_mae
    python scripts/make_table.py runs/continual/selective

The old networks come first (method=source_only, seed 0, the convnet, 2,000 SGD steps of 64 images at
lr 0.03, twice the Fashion halves' protocol): Fashion-MNIST half A (``fashion_mnist_a``: T-shirt,
Trouser, Sandal, Bag, Ankle boot) and MNIST. Every arm of every seed starts from the same old network
(results.json records its config digest under ``provenance.old``; tables keep arms of different old
networks apart). The protocols were fixed here before any arm was run:

- ``lwf`` (Li & Hoiem, ECCV 2016, Table 1's arms): old task Fashion A; new tasks the other half
  (``fashion_mnist_b``, near) and MNIST (far, 10 classes), each learnt for 1,000 steps of 64 images at
  lr 0.01 (a third of the old network's, as fine-tuning lowers it), with a warm-up of 20 % of the
  steps for every arm that trains shared layers: fine-tuning, fine-tuning the fc blocks, feature
  extraction, LFL, LwF and joint training.
- ``progressive`` (Rusu et al. 2016): new task Fashion B with 100 labelled images per class and with
  all of them, the task's own protocol (1,000 steps of 64 images at lr 0.03); arms: a column trained
  from scratch (source_only), fine-tuning from the old network (continual_finetune, so that its
  forgetting is measured too) and a progressive column, from Fashion A (related) and from MNIST
  (unrelated).
- ``uncertainty`` (Kendall, Gal & Cipolla, CVPR 2018, Table 1's arms): ``rotated_mnist`` (digits rotated
  by θ ∈ [−45°, 45°], the task's protocol: LeNet, 3,000 steps of 64 images per task at lr 0.01), a
  class head (cross-entropy) and an angle head (squared error in degrees²) on one network; arms: each
  task alone (the other's weight 0), the unweighted sum, the angle weighted 0.1, 0.01, 0.001 and 0.0001
  (the class 1), and weights learned from the tasks' uncertainty.
- ``selective`` (Ge & Yu, CVPR 2017, Table 2's arms): ``selective_usps`` (USPS with 20 labelled images per
  class; a pool of 10,000 MNIST, 10,000 Fashion A and 10,000 gray MNIST-M images; LeNet, 2,000 steps of
  64 images per task at lr 0.01); arms: the target only, fine-tuning (from a network trained on the whole
  pool, seed 0), joint training with the whole pool, with a random subset and with the subset the
  Gabor retrieval selects (20 neighbours per labelled target image).

Every sweep skips finished runs and resumes killed ones, so the same command continues an
interrupted experiment. Overrides given last apply to every run (e.g. ``trainer.device=cuda``, or
``hydra/launcher=joblib hydra.launcher.n_jobs=2 trainer.threads=1`` for parallel runs).
"""

from __future__ import annotations

import sys
from pathlib import Path

from transferbench.sweep import multirun, run_experiment

SEED = "seed${seed}"
ARM = "${dataset.name}/${method.name}/seed${seed}"
#: The old networks, trained once (seed 0) and shared by every arm and seed of every experiment.
OLD_TASKS = ["dataset=fashion_mnist_a,mnist", "backbone=convnet", "method=source_only",
             "trainer.iterations=2000", "trainer.eval_every=1000", "optimizer.lr=0.03", "seed=0"]
LWF_TASKS = ["dataset=fashion_mnist_b,mnist", "backbone=convnet"]
LWF_PROTOCOL = ["trainer.iterations=1000", "trainer.eval_every=500", "optimizer.lr=0.01"]
LWF_ARMS = ("continual_finetune", "continual_finetune_fc", "continual_feature_extraction", "lfl", "lwf", "joint")
PROGRESSIVE_TASK = ["dataset=fashion_mnist_b", "+dataset.labels_per_class=100,null", "trainer.eval_every=500"]
PROGRESSIVE_ARMS = ("continual_finetune", "progressive_networks")


def old_networks(out: Path, overrides: list[str]) -> dict[str, Path]:
    """The old networks' run folders by task, trained first (a finished one is skipped)."""
    multirun(out / "old", f"${{dataset.name}}/{SEED}", *OLD_TASKS, *overrides)
    return {task: out / "old" / task / "seed0" for task in ("fashion_mnist_a", "mnist")}


def lwf(out: Path, seeds: str, overrides: list[str]) -> bool:
    old = old_networks(out, overrides)["fashion_mnist_a"]
    common = [*LWF_TASKS, *LWF_PROTOCOL, f"method.old={old}", f"seed={seeds}", *overrides]
    # One sweep per arm: Hydra applies method.* overrides before it sweeps method=a,b.
    return all([multirun(out / "lwf", ARM, f"method={arm}", *common, required=False) for arm in LWF_ARMS])


def progressive(out: Path, seeds: str, overrides: list[str]) -> bool:
    arm = f"${{dataset.labels_per_class}}/{ARM}"
    sweep = out / "progressive"
    common = [*PROGRESSIVE_TASK, f"seed={seeds}", *overrides]
    olds = old_networks(out, overrides)
    runs = [multirun(sweep / "scratch", arm, "method=source_only", *common, required=False)]
    for task, old in olds.items():
        runs += [multirun(sweep / f"from_{task}", arm, f"method={method}", f"method.old={old}", *common,
                          required=False) for method in PROGRESSIVE_ARMS]
    return all(runs)


UNCERTAINTY_ARMS = {
    "class_only": ["method.weights={main:1,angle:0}"],
    "angle_only": ["method.weights={main:0,angle:1}"],
    "unweighted": [],
    **{f"angle_weight_{weight}": [f"method.weights={{angle:{weight}}}"] for weight in ("0.1", "0.01", "0.001", "0.0001")},
    "uncertainty": ["method.weighting=uncertainty"],
}


def uncertainty(out: Path, seeds: str, overrides: list[str]) -> bool:
    common = ["dataset=rotated_mnist", "method=multitask", f"seed={seeds}", *overrides]
    return all([
        multirun(out / "uncertainty", f"{arm}/{SEED}", *common, *options, required=False)
        for arm, options in UNCERTAINTY_ARMS.items()
    ])


SELECTIVE_ARMS = {
    "target_only": ["method=source_only", "~dataset.related"],
    "joint_all": ["method=multitask", "dataset.related.pool.selection.rule=all"],
    "joint_random": ["method=multitask", "dataset.related.pool.selection.rule=random"],
    "joint_selected": ["method=multitask", "dataset.related.pool.selection.rule=gabor"],
}


def selective(out: Path, seeds: str, overrides: list[str]) -> bool:
    sweep = out / "selective"
    common = ["dataset=selective_usps", f"seed={seeds}", *overrides]
    pool = ["dataset=selective_usps", "method=multitask", "method.weights={main:0}",
            "dataset.related.pool.selection.rule=all", "seed=0", *overrides]
    multirun(out / "pool_network", SEED, *pool)
    finetune = ["method=finetune", "~dataset.related", f"backbone.weights={out / 'pool_network' / 'seed0'}"]
    return all([
        *(multirun(sweep, f"{arm}/{SEED}", *common, *options, required=False) for arm, options in SELECTIVE_ARMS.items()),
        multirun(sweep, f"finetune/{SEED}", *common, *finetune, required=False),
    ])


EXPERIMENTS = {"lwf": lwf, "progressive": progressive, "uncertainty": uncertainty, "selective": selective}


def main(argv: list[str] | None = None) -> int:
    return run_experiment(__doc__, EXPERIMENTS, argv)


if __name__ == "__main__":
    sys.exit(main())
