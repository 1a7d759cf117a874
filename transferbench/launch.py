"""Running one run in its folder, with its log and one-line errors: in this process, or in the
``trainer.processes`` processes it trains with (``engine/distributed.py``).

``trainer.processes=N`` starts N processes on this machine as ``torchrun --nproc_per_node=N``
does (torch.distributed's elastic launcher), each on its own GPU where there are GPUs; they
rendezvous on a free local port, so any number of such runs share a machine. Unlike a bare
``torchrun``, it works in every Hydra launcher (a sweep job, a SLURM job with N GPUs), the run
folder is chosen once, and a failure ends in one line.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from omegaconf import DictConfig, OmegaConf
from rich.console import Console
from rich.markup import escape
from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
from torch.distributed.launcher.api import LaunchConfig, elastic_launch

from transferbench.config import resolved
from transferbench.engine.distributed import ReportedByMain, World, current_world
from transferbench.engine.seeding import available_cores
from transferbench.errors import UserError, first_line
from transferbench.experiment import run
from transferbench.layout import LOG_FILE, completed_results

log = logging.getLogger(__name__)
console = Console(stderr=True)
LOG_FORMAT = "[%(asctime)s][%(name)s][%(levelname)s] - %(message)s"
#: torch.distributed's launcher logs each failed process with its own report; the run's processes
#: report their errors themselves.
LAUNCHER_LOGGERS = ("torch.distributed.elastic", "torch.distributed.launcher")
OMP_NUM_THREADS = "OMP_NUM_THREADS"


def logged_run(cfg: DictConfig, run_dir: Path, world: World) -> dict[str, Any]:
    """:func:`transferbench.experiment.run` with Python logging also into ``run_dir/train.log``;
    an unexpected error becomes one ``UserError`` line, its traceback going to train.log only."""
    with run_log(run_dir, world) as log_file:
        try:
            return run(cfg, run_dir)
        except UserError:
            raise
        except Exception as error:
            traceback = log.makeRecord(log.name, logging.ERROR, __file__, 0, "unexpected error", (), sys.exc_info())
            log_file.handle(traceback)
            raise UserError(f"unexpected {first_line(error)}; the traceback is in {run_dir / LOG_FILE}") from error


@contextmanager
def run_log(run_dir: Path, world: World) -> Iterator[logging.Handler]:
    """Python logging also into ``run_dir/train.log`` while the run lasts (from a process other
    than process 0, only its warnings and errors, marked with its rank); yields that file's
    handler, for what goes into the file only (the traceback of an unexpected error)."""
    handler = logging.FileHandler(run_dir / LOG_FILE)
    handler.setFormatter(logging.Formatter(LOG_FORMAT if world.is_main else f"[process {world.rank}]{LOG_FORMAT}"))
    if not world.is_main:
        handler.setLevel(logging.WARNING)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        handler.close()


def report(error: UserError, world: World) -> None:
    """The error's one line on stderr, naming the process unless it is process 0 (an error that
    process 0 reports for every process is said once)."""
    if isinstance(error, ReportedByMain):
        return
    who = "" if world.is_main else f"process {world.rank}: "
    console.print(f"[red]error:[/red] {who}{escape(str(error))}", soft_wrap=True, highlight=False)


def quiet_unless_main(world: World) -> None:
    """Only process 0 logs information; the others log their warnings and errors."""
    if not world.is_main:
        logging.getLogger().setLevel(logging.WARNING)


def launch_processes(cfg: DictConfig, run_dir: Path) -> dict[str, Any]:
    """Train ``cfg`` in ``run_dir`` with ``trainer.processes`` processes; its ``results.json``.
    Each is a new interpreter (``python -m transferbench.launch``), whatever started this one
    (a joblib worker, a SLURM job)."""
    count = cfg.trainer.processes
    settings = LaunchConfig(
        min_nodes=1, max_nodes=1, nproc_per_node=count, run_id=uuid.uuid4().hex,
        rdzv_backend="c10d", rdzv_endpoint="localhost:0", max_restarts=0,
    )
    for name in LAUNCHER_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        with cores_shared_by(count):
            elastic_launch(settings, sys.executable)("-m", __name__, str(run_dir), json.dumps(resolved(cfg)))
    except ChildFailedError:
        raise UserError(
            f"the run's {count} processes stopped with the error above (an unexpected error's "
            f"traceback is in {run_dir / LOG_FILE})"
        ) from None
    results = completed_results(run_dir)
    if results is None:
        raise UserError(f"the run's processes ended without a finished {run_dir}/results.json; see {run_dir / LOG_FILE}")
    return results


@contextmanager
def cores_shared_by(count: int) -> Iterator[None]:
    """Unless ``$OMP_NUM_THREADS`` is set, the processes started meanwhile split the cores (each
    one's ``trainer.threads=auto`` reads it), as torchrun keeps them from oversubscribing."""
    if OMP_NUM_THREADS in os.environ:
        yield
        return
    os.environ[OMP_NUM_THREADS] = str(max(1, available_cores() // count))
    try:
        yield
    finally:
        os.environ.pop(OMP_NUM_THREADS, None)


def train_process(run_dir: str, config: str) -> int:
    """One of the processes ``launch_processes`` starts, given the run folder and the resolved
    config as JSON: the run, its rank from the launcher; the exit status."""
    world = current_world()
    logging.basicConfig(format=LOG_FORMAT, level=logging.INFO, stream=sys.stderr)
    quiet_unless_main(world)
    try:
        logged_run(OmegaConf.create(json.loads(config)), Path(run_dir), world)
    except UserError as error:
        report(error, world)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(train_process(*sys.argv[1:]))
