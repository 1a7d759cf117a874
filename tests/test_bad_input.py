"""Bad input from the command line and a hostile file system: one line, non-zero exit, nothing
already written is lost or overwritten, and a second run never shares a folder with a first."""

import errno
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO_ROOT, Killed, run_cli
from transferbench.analysis.runs import collect_runs
from transferbench.errors import UserError
from transferbench.experiment import run

SHORT = ["trainer.iterations=20", "trainer.eval_every=10", "trainer.progress=false"]


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("seed=abc", "seed: Value 'abc' of type 'str' could not be converted to Integer"),
        ("+optimizer.foo=1", "optimizer: SGD.__init__() got an unexpected keyword argument 'foo'"),
        ("method.trade_of=2", "unknown key 'method.trade_of'; check its spelling"),
        ("trade_off=2", "unknown key 'trade_off'; check its spelling"),
    ],
)
def test_a_bad_value_or_key_is_one_line(tmp_path, argument, expected):
    """Through the CLI; seed=-1, trainer.device=tpu and +trainer.foo=1 take the same checks in
    tests/test_bench_data.py, a method option's type in tests/test_registry.py (in-process)."""
    result = run_cli(argument, *SHORT, f"hydra.run.dir={tmp_path / 'run'}", cwd=REPO_ROOT)
    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {expected}")
    assert not (tmp_path / "run" / "results.json").exists() or "failed" in (tmp_path / "run" / "results.json").read_text()


def test_an_unwritable_output_folder_is_one_line(tmp_path):
    (tmp_path / "file").write_text("")
    result = run_cli(*SHORT, f"hydra.run.dir={tmp_path / 'file' / 'run'}", cwd=REPO_ROOT)
    assert result.returncode != 0
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr


def test_a_run_folder_that_cannot_be_locked_is_one_line(make_config, tmp_path, monkeypatch):
    def refuse(path, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr("transferbench.layout.os.open", refuse)
    with pytest.raises(UserError, match=r"cannot write to the run folder .* \(Permission denied\); choose a writable"):
        run(make_config(*SHORT), tmp_path)


def test_a_full_disk_mid_run_is_one_line_and_keeps_the_last_checkpoint(make_config, tmp_path, monkeypatch):
    cfg = make_config(*SHORT)
    run(cfg, tmp_path / "whole")
    real_fsync, calls = os.fsync, []

    def fill_up(descriptor):
        calls.append(descriptor)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(descriptor)

    monkeypatch.setattr("transferbench.files.os.fsync", fill_up)
    with pytest.raises(UserError, match=r"cannot write .*checkpoint.pt \(No space left on device\); free disk space"):
        run(cfg, tmp_path / "full")
    monkeypatch.setattr("transferbench.files.os.fsync", real_fsync)
    assert not list((tmp_path / "full").glob(".*.tmp"))
    resumed = run(cfg, tmp_path / "full")
    assert resumed["history"] == json.loads((tmp_path / "whole" / "results.json").read_text())["history"]


def test_a_truncated_checkpoint_is_one_line(make_config, tmp_path, kill_after_checkpoint):
    kill_after_checkpoint(1)
    with pytest.raises(Killed):
        run(make_config(*SHORT), tmp_path)
    checkpoint = tmp_path / "checkpoint.pt"
    checkpoint.write_bytes(checkpoint.read_bytes()[:1000])
    with pytest.raises(UserError, match=r"cannot read .*checkpoint.pt \(.*\); delete it to start this run over"):
        run(make_config(*SHORT), tmp_path)


def test_a_truncated_results_file_is_one_line_kept_as_it_is_and_listed_as_failed(make_config, tmp_path):
    run(make_config(*SHORT), tmp_path / "run")
    results = tmp_path / "run" / "results.json"
    results.write_text(results.read_text()[:100])
    truncated = results.read_text()
    with pytest.raises(UserError, match=r"cannot read .*results.json \(JSONDecodeError: .*\); move it away"):
        run(make_config(*SHORT), tmp_path / "run")
    assert results.read_text() == truncated
    [(run_dir, error)] = collect_runs(tmp_path).failed
    assert run_dir == tmp_path / "run" and error.startswith("cannot read")


def test_orphan_temporary_files_of_a_killed_write_are_removed(make_config, tmp_path):
    tmp_path.mkdir(exist_ok=True)
    orphan = tmp_path / ".checkpoint.pt.x1y2z3.tmp"
    orphan.write_bytes(b"half a checkpoint")
    run(make_config(*SHORT), tmp_path)
    assert not orphan.exists()


def test_a_resumed_run_says_from_which_iteration(make_config, tmp_path, kill_after_checkpoint, caplog):
    kill_after_checkpoint(1)
    with pytest.raises(Killed):
        run(make_config(*SHORT), tmp_path)
    caplog.set_level("INFO")
    run(make_config(*SHORT), tmp_path)
    assert f"resumed from iteration 10 ({tmp_path / 'checkpoint.pt'})" in caplog.messages


def test_a_rejected_run_leaves_the_finished_runs_record_as_it_was(tmp_path):
    first = run_cli(*SHORT, f"hydra.run.dir={tmp_path}", cwd=REPO_ROOT)
    assert first.returncode == 0, first.stderr
    record = {path.name: path.read_text() for path in sorted((tmp_path / ".hydra").iterdir())}
    assert "seed: 0" in record["config.yaml"]
    files = sorted(path.name for path in tmp_path.iterdir())
    log = (tmp_path / "train.log").read_text()

    second = run_cli(*SHORT, "seed=1", f"hydra.run.dir={tmp_path}", cwd=REPO_ROOT)
    assert second.returncode != 0
    assert second.stderr.splitlines() == [f"error: {tmp_path} holds a finished run with a different config; use a "
                                          "new output dir (hydra.run.dir / hydra.sweep.dir), or trainer.resume=false to train it again"]
    assert {path.name: path.read_text() for path in sorted((tmp_path / ".hydra").iterdir())} == record
    assert sorted(path.name for path in tmp_path.iterdir()) == files
    assert (tmp_path / "train.log").read_text() == log
    assert json.loads((tmp_path / "results.json").read_text())["status"] == "completed"


def test_a_second_run_into_a_busy_folder_stops_and_changes_nothing(tmp_path):
    command = [sys.executable, "-m", "transferbench", "trainer.iterations=1000000", "trainer.eval_every=1000000",
               "trainer.progress=false", f"hydra.run.dir={tmp_path}"]
    first = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not _started(tmp_path):
            assert time.monotonic() < deadline and first.poll() is None, "the first run did not start"
            time.sleep(0.2)
        snapshot = _snapshot(tmp_path)
        second = run_cli("seed=1", "trainer.iterations=20", "trainer.progress=false", f"hydra.run.dir={tmp_path}", cwd=REPO_ROOT)
        assert second.returncode != 0
        assert second.stderr.splitlines() == [
            f"error: {tmp_path} is in use by another run (process {first.pid}); wait for it to end, or give this "
            "run its own folder with hydra.run.dir"
        ]
        assert _snapshot(tmp_path) == snapshot
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()


def _started(run_dir) -> bool:
    """The first run holds the folder and has recorded its command."""
    return (run_dir / ".hydra" / "overrides.yaml").is_file() and (run_dir / "train.log").is_file()


def _snapshot(run_dir) -> dict[str, bytes]:
    """Every file of the folder but the first run's own growing log, and its checkpoint (none yet)."""
    return {
        str(path.relative_to(run_dir)): path.read_bytes()
        for path in sorted(run_dir.rglob("*")) if path.is_file() and path.name != "train.log"
    }


class RecordingLogger:
    """A logger that remembers whether it was closed."""

    closed: list[bool] = []

    def start(self, run_dir, config) -> None:
        RecordingLogger.closed.clear()

    def log(self, metrics, step) -> None:
        """Nothing to record."""

    def finish(self) -> None:
        RecordingLogger.closed.append(True)


def test_an_unexpected_error_closes_the_logger_and_records_the_failure(make_config, tmp_path, monkeypatch):
    def explode(self, source, target, progress):
        raise RuntimeError("a bug")

    monkeypatch.setattr("transferbench.methods.source_only.SourceOnly.losses", explode)
    cfg = make_config("method=source_only", *SHORT, "logger._target_=tests.test_bad_input.RecordingLogger")
    with pytest.raises(RuntimeError, match="a bug"):
        run(cfg, tmp_path)
    assert RecordingLogger.closed == [True]
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["status"] == "failed" and results["error"] == "RuntimeError: a bug"
