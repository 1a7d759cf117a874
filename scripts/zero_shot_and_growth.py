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

import argparse
import sys
from pathlib import Path

from transferbench.sweep import multirun

ZERO_SHOT_ARMS = "attribute_prediction,hinge_embedding,distance_embedding,conse"


def zero_shot(out: Path, seeds: str, overrides: list[str]) -> bool:
    return multirun(out / "zero_shot", "${method.name}/seed${seed}", "dataset=mnist_zero_shot",
                    f"method={ZERO_SHOT_ARMS}", f"seed={seeds}", *overrides, required=False)


EXPERIMENTS = {"zero_shot": zero_shot}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("experiment", choices=EXPERIMENTS)
    parser.add_argument("--out", type=Path, required=True, help="experiment folder")
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated seeds, one class split each (default: %(default)s)")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides for every run")
    args = parser.parse_intermixed_args(argv)
    if not EXPERIMENTS[args.experiment](args.out.resolve(), args.seeds, args.overrides):
        print("error: some runs failed; their results.json say why (make_table.py lists them)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
