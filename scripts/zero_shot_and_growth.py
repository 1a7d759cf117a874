"""The zero-shot reproductions of docs/results/zero_shot_and_growth.md, as Hydra multiruns.

    python scripts/zero_shot_and_growth.py zero_shot --out runs/zsg [--seeds 0,1,2] [Hydra overrides ...]
    python scripts/make_table.py runs/zsg/zero_shot --metric target_acc seen_acc unseen_acc harmonic_acc

The protocol was fixed here before any arm was run:

- ``zero_shot`` (the seeds' zero-shot digits): ``mnist_zero_shot``, MNIST with the seven-segment
  descriptions, 3 unseen digits drawn with the run's seed (seeds 0, 1, 2 are three class splits),
  LeNet, 2,000 SGD steps of 64 seen-class images at lr 0.01; arms: attribute prediction (DAP), the
  hinge embedding, the distance-loss embedding with a learned class map, and ConSE (T capped at the
  7 seen classes).

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


EXPERIMENTS = {"zero_shot": zero_shot}


def main(argv: list[str] | None = None) -> int:
    return run_experiment(__doc__, EXPERIMENTS, argv)


if __name__ == "__main__":
    sys.exit(main())
