"""The zero-shot reproductions of docs/results/zero_shot_and_growth.md, as Hydra multiruns.

    python scripts/zero_shot_and_growth.py zero_shot --out runs/zsg [--seeds 0,1,2] [Hydra overrides ...]
    python scripts/zero_shot_and_growth.py few_shot  --out runs/zsg
    python scripts/make_table.py runs/zsg/zero_shot --metric target_acc seen_acc unseen_acc harmonic_acc
    python scripts/plot_label_budget.py runs/zsg/few_shot/fashion_mnist_b
    python scripts/zero_shot_and_growth.py growth    --out runs/zsg
    python scripts/zero_shot_and_growth.py self_taught --out runs/zsg
    python scripts/make_table.py runs/zsg/self_taught
    python scripts/make_table.py runs/zsg/growth

The protocol was fixed here before any arm was run:

- ``zero_shot`` (the seeds' zero-shot digits): ``mnist_zero_shot``, MNIST with the seven-segment
  descriptions, 3 unseen digits drawn with the run's seed (seeds 0, 1, 2 are three class splits),
  LeNet, 2,000 SGD steps of 64 seen-class images at lr 0.01; arms: attribute prediction (DAP), the
  hinge embedding, the distance-loss embedding with a learned class map, and ConSE (T capped at the
  7 seen classes).
- ``few_shot`` (the seeds' few-shot transfer curves): Fashion A → B (convnet) and MNIST → USPS (LeNet),
  the base network trained on the source task (seed 0, 2,000 SGD steps of 64 images, at lr 0.03 for
  Fashion A and 0.01 for MNIST), then the target task with 1, 5, 10, 50, 100 and all labelled images per
  class (drawn by the seed) for its own protocol (1,000 steps of 64 images, or of the whole labelled set
  when smaller); arms: from scratch (source_only), fine-tuning every block, the base frozen with new
  layers above it (``finetune`` with ``copied=freeze``) and feature extraction (a linear SVM on the
  base's last block).
- ``growth`` (Wang, Ramanan & Hebert, CVPR 2017, the SUN-397 ablation's arms): the Fashion A base
  network of ``few_shot``, then Fashion B with 100 labelled images per class and with all of them (the
  task's protocol: 1,000 steps of 64 images at lr 0.03); arms: fine-tuning, WA (128 new units beside
  fc5) and DA (a new 128-unit layer above fc5), each with and without L2 normalisation and learned
  scales, each at three depths: new layers only, fc5 + new, all blocks.
- ``self_taught`` (Raina et al., ICML 2007): ``digits_self_taught``, scikit-learn's 8×8 digits with 1, 5,
  10 and 50 labelled images per class, and 50,000 unlabelled 8×8 BSDS500 patches; a logistic regression
  on sparse codes over a 128-atom dictionary learnt on the patches (α = 1), on the patches' first 32
  principal components, or on the raw pixels.

Every sweep skips finished runs and resumes killed ones, so the same command continues an
interrupted experiment. Overrides given last apply to every run.
"""

from __future__ import annotations

import sys
from pathlib import Path

from transferbench.sweep import multirun, run_experiment

ZERO_SHOT_ARMS = "attribute_prediction,hinge_embedding,distance_embedding,conse"


def zero_shot(out: Path, seeds: str, overrides: list[str]) -> bool:
    return multirun(out / "zero_shot", "${method.name}/seed${seed}", "dataset=mnist_zero_shot",
                    f"method={ZERO_SHOT_ARMS}", f"seed={seeds}", *overrides, required=False)


#: Per target task: its source task's base network (task, backbone, lr) and the target task's overrides.
FEW_SHOT = {
    "fashion_mnist_b": (["dataset=fashion_mnist_a", "backbone=convnet", "optimizer.lr=0.03"],
                        ["dataset=fashion_mnist_b", "backbone=convnet", "+dataset.labels_per_class=1,5,10,50,100,null"]),
    "usps": (["dataset=mnist", "backbone=lenet", "optimizer.lr=0.01"],
             ["dataset=usps", "backbone=lenet", "dataset.labels_per_class=1,5,10,50,100,null"]),
}
FEW_SHOT_ARMS = {
    "scratch": ["method=source_only"],
    "finetune": ["method=finetune"],
    "freeze": ["method=finetune", "method.copied=freeze"],
    "feature_extraction": ["method=feature_extraction"],
}


def base_network(out: Path, base: list[str], overrides: list[str]) -> Path:
    """The run folder of a source task's base network (seed 0, 2,000 steps), trained first if needed."""
    bases = out / "few_shot" / "bases"
    multirun(bases, "${dataset.name}", *base, "method=source_only", "trainer.iterations=2000", "seed=0", *overrides)
    return bases / base[0].removeprefix("dataset=")


def few_shot(out: Path, seeds: str, overrides: list[str]) -> bool:
    runs = []
    for target, (base, task) in FEW_SHOT.items():
        weights = f"backbone.weights={base_network(out, base, overrides)}"
        runs += [
            multirun(out / "few_shot" / target, f"{arm}/labels${{dataset.labels_per_class}}/seed${{seed}}", *task,
                     *options, *([] if arm == "scratch" else [weights]), f"seed={seeds}", *overrides, required=False)
            for arm, options in FEW_SHOT_ARMS.items()
        ]
    return all(runs)


GROWTH_DEPTHS = {
    "new_only": ["method.copied=freeze"],
    "top_and_new": ["method.copied=freeze", "method.policy={fc5:finetune}"],
    "all": [],
}
GROWTH_ARMS = {
    "finetune": ["method=finetune", "method.rest=finetune"],
    **{f"{mode}_{'scaled' if scale else 'plain'}": ["method=grow", f"method.mode={mode}", f"method.scale={scale}"]
       for mode in ("widen", "deepen") for scale in (True, False)},
}


def growth(out: Path, seeds: str, overrides: list[str]) -> bool:
    base = base_network(out, FEW_SHOT["fashion_mnist_b"][0], overrides)
    common = ["dataset=fashion_mnist_b", "backbone=convnet", "+dataset.labels_per_class=100,null",
              f"backbone.weights={base}", f"seed={seeds}", *overrides]
    return all([
        multirun(out / "growth", f"{arm}/{depth}/labels${{dataset.labels_per_class}}/seed${{seed}}",
                 *options, *depth_options, *common, required=False)
        for arm, options in GROWTH_ARMS.items() for depth, depth_options in GROWTH_DEPTHS.items()
    ])


def self_taught(out: Path, seeds: str, overrides: list[str]) -> bool:
    return multirun(out / "self_taught", "${method.representation}/labels${dataset.labels_per_class}/seed${seed}",
                    "dataset=digits_self_taught", "method=self_taught", "method.representation=sparse,pca,pixels",
                    "dataset.labels_per_class=1,5,10,50", f"seed={seeds}", *overrides, required=False)


EXPERIMENTS = {"zero_shot": zero_shot, "few_shot": few_shot, "growth": growth, "self_taught": self_taught}


def main(argv: list[str] | None = None) -> int:
    return run_experiment(__doc__, EXPERIMENTS, argv)


if __name__ == "__main__":
    sys.exit(main())
