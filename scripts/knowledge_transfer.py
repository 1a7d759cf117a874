"""The knowledge-transfer reproductions of docs/results/knowledge_transfer.md, as Hydra multiruns.

    python scripts/knowledge_transfer.py hinton    --out runs/kt [--seeds 0,1,2] [Hydra overrides ...]
    python scripts/knowledge_transfer.py attention --out runs/kt
    python scripts/knowledge_transfer.py few_shot  --out runs/kt
    python scripts/make_table.py runs/kt/hinton/students

Each experiment trains its teacher (method=source_only; for ``hinton`` one per seed, to report the
teacher's spread), then its students from the seed-0 teacher, so that every student of a table
learns from the same network (results.json
records the teacher's config digest and tables keep students of different teachers apart). The
protocols are fixed here, before any student was run:

- ``hinton`` (Hinton, Vinyals & Dean 2015, §3): MNIST, 10,000 iterations of 128 images, SGD
  (Nesterov momentum 0.9, lr 0.05, DANN's inverse decay, no weight decay). Teacher mlp_1200x2
  (dropout 0.2/0.5) on images jittered by up to 2 pixels; students mlp_800x2 without
  regularisation: CE, and KD with α = 0.9 at T = 20 and T ∈ {2.5, 4, 8} (``--ablation-seeds``)
  on the training images.
- ``attention`` (Zagoruyko & Komodakis 2017, Table 1's arms): Fashion-MNIST, convnet teacher with
  channels 32-64-128, student with 8-16-32, 5,000 iterations of 64 images (the task's protocol):
  CE, AT (β = 10³ on conv1-conv3), activation transfer with 1×1 regressors (FitNets-style hints,
  β = 1), KD (α = 0.9, T = 4) and AT + KD.
- ``few_shot`` (Srinivas & Fleuret 2018, few-shot table): the student of ``attention`` trained on
  1, 5, 10, 50, 100 and all labelled images per class (drawn by the seed), 500 iterations of up
  to 64 images (all of them when fewer),
  from the ``attention`` teacher, on the labelled images only: CE, CE + act, CE + Jac, CE + act +
  Jac (activation matching on the logits; both weights 1).

Every sweep skips finished runs and resumes killed ones, so the same command continues an
interrupted experiment; a student sweep with failed runs (a diverged student) does not stop the
other arms, and the script then exits non-zero. Overrides given last apply to every run (e.g. ``trainer.device=cuda``,
or ``hydra/launcher=joblib hydra.launcher.n_jobs=2 trainer.threads=1`` for parallel runs).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from transferbench.sweep import multirun

SEED = "seed${seed}"
HINTON = [
    "dataset=mnist", "dataset.protocol.batch_size=128", "dataset.protocol.lr=0.05",
    "trainer.iterations=10000", "trainer.eval_every=2000", "optimizer.weight_decay=0",
]
FASHION = ["dataset=fashion_mnist", "backbone=convnet"]
FASHION_TEACHER = [*FASHION, "backbone.options.channels=[32,64,128]", "method=source_only"]
LABELS = "labels${dataset.labels_per_class}"
FEW_SHOT = [*FASHION, "dataset.labels_per_class=1,5,10,50,100,null", "trainer.iterations=500", "trainer.eval_every=250"]


def hinton(out: Path, seeds: str, overrides: list[str], ablation_seeds: str) -> bool:
    teachers = out / "hinton" / "teachers"
    multirun(teachers, SEED, *HINTON, "backbone=mlp_1200x2", "method=source_only",
             "+dataset.augment.shift=2", f"seed={seeds}", *overrides)
    students = out / "hinton" / "students"
    common = [*HINTON, "backbone=mlp_800x2", *overrides]
    kd = [*common, "method=kd", f"method.teacher={teachers / 'seed0'}", "method.transfer_set=labelled"]
    return all([
        student_sweep(students / "ce", SEED, *common, f"seed={seeds}", "method=source_only"),
        student_sweep(students / "kd", f"T${{method.temperature}}/{SEED}", *kd, f"seed={seeds}",
                      "method.temperature=20"),
        student_sweep(students / "kd", f"T${{method.temperature}}/{SEED}", *kd, f"seed={ablation_seeds}",
                      "method.temperature=8,4,2.5"),
    ])


def attention(out: Path, seeds: str, overrides: list[str], ablation_seeds: str) -> bool:
    teachers = out / "fashion" / "teachers"
    multirun(teachers, SEED, *FASHION_TEACHER, "seed=0", *overrides)
    students = out / "fashion" / "attention"
    common = [*FASHION, f"seed={seeds}", *overrides]
    teacher = [f"method.teacher={teachers / 'seed0'}", "method.transfer_set=labelled"]
    arm = f"${{method.name}}_alpha${{method.alpha}}/{SEED}"
    # One sweep per method: Hydra applies the method.* overrides before it sweeps method=a,b.
    return all([
        student_sweep(students / "ce", SEED, *common, "method=source_only"),
        *(student_sweep(students, arm, *common, f"method={method}", *teacher)
          for method in ("kd", "attention", "activation_transfer")),
        student_sweep(students, arm, *common, "method=attention", "method.alpha=0.9", *teacher),
    ])


def few_shot(out: Path, seeds: str, overrides: list[str], ablation_seeds: str) -> bool:
    teachers = out / "fashion" / "teachers"
    multirun(teachers, SEED, *FASHION_TEACHER, "seed=0", *overrides)
    students = out / "fashion" / "few_shot"
    common = [*FEW_SHOT, f"seed={seeds}", *overrides]
    jacobian = [*common, "method=jacobian", f"method.teacher={teachers / 'seed0'}"]
    arm = f"act${{method.activation_weight}}_jac${{method.jacobian_weight}}/{LABELS}/{SEED}"
    return all([
        student_sweep(students / "ce", f"{LABELS}/{SEED}", *common, "method=source_only"),
        student_sweep(students, arm, *jacobian, "method.activation_weight=1", "method.jacobian_weight=0,1"),
        student_sweep(students, arm, *jacobian, "method.activation_weight=0", "method.jacobian_weight=1"),
    ])


def student_sweep(sweep_dir: Path, subdir: str, *overrides: str) -> bool:
    """A sweep of students: one that fails (a diverged run) does not stop the other arms."""
    return multirun(sweep_dir, subdir, *overrides, required=False)


EXPERIMENTS = {"hinton": hinton, "attention": attention, "few_shot": few_shot}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("experiment", choices=EXPERIMENTS)
    parser.add_argument("--out", type=Path, required=True, help="experiment folder")
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated seeds (default: %(default)s)")
    parser.add_argument("--ablation-seeds", help="seeds of hinton's temperatures 8, 4, 2.5 (default: --seeds)")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides for every run")
    args = parser.parse_intermixed_args(argv)
    run = EXPERIMENTS[args.experiment]
    if not run(args.out.resolve(), args.seeds, args.overrides, args.ablation_seeds or args.seeds):
        print("error: some student runs failed; their results.json say why (make_table.py lists them)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
