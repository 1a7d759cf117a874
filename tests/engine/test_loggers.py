"""The metric loggers, tested directly (the training loop only calls start / log / finish).

The wandb tests run the logger in a fresh Python process, as a training run would: wandb keeps
process-wide state (settings read from the environment once, a service process, exit hooks), and
how long the process takes to exit is part of what is checked. Nothing goes to the internet: the
"servers" are local sockets, and WANDB_DIR and friends point into ``tmp_path``.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

from transferbench.engine.loggers import NullLogger, WandbLogger
from transferbench.errors import UserError

FAKE_KEY = "0123456789abcdef0123456789abcdef01234567"

# Runs one logger through start, `steps` logs and two finishes; stops the fake server's answers
# right after start when asked; prints timings and what the run was (or start's UserError) as JSON.
CHILD = """
import json, sys, time
from pathlib import Path
from transferbench.engine.loggers import WandbLogger
run_dir, kwargs, steps, stop_url = Path(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
from transferbench.errors import UserError
import wandb  # imported before the clock starts: start() is timed, not the import
logger = WandbLogger(**kwargs)
began = time.monotonic()
try:
    logger.start(run_dir, {"seed": 0, "method": {"name": "dann"}})
except UserError as error:
    print(json.dumps({"error": str(error)}), flush=True)
    sys.exit(0)
started = time.monotonic() - began
mode = logger.run.settings.mode
if stop_url:
    import urllib.request
    urllib.request.urlopen(stop_url, data=b"").read()
for step in range(steps):
    logger.log({"loss/total": 1.0 / (step + 1)}, step)
logger.finish()
logger.finish()
print(json.dumps({"start_s": started, "mode": mode, "sync_dir": str(logger.sync_dir),
                  "ended_at": time.time()}), flush=True)
"""


def run_child(tmp_path: Path, env: dict[str, str], steps: int = 20, stop_url: str = "", **kwargs: Any):
    """Run CHILD in a fresh interpreter; returns its JSON report (plus ``exit_s``: how long the
    process took to exit after its last line, wandb's exit hooks included) and its stderr."""
    home = tmp_path / "wandb-home"
    home.mkdir(exist_ok=True)
    child_env = {key: value for key, value in os.environ.items() if not key.startswith("WANDB_")}
    child_env.update(
        WANDB_DIR=str(home), WANDB_CACHE_DIR=str(home / "cache"), WANDB_CONFIG_DIR=str(home / "config"),
        WANDB_DATA_DIR=str(home / "data"), **env,
    )
    run_dir = tmp_path / "run"
    run_dir.mkdir(exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(run_dir), json.dumps(kwargs), str(steps), stop_url],
        env=child_env, capture_output=True, text=True, timeout=60,
    )
    exited_at = time.time()
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    if "ended_at" in report:
        report["exit_s"] = exited_at - report["ended_at"]
    return report, done.stderr


def stderr_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def assert_offline_run_in(run_dir: Path, sync_dir: str) -> None:
    offline_runs = list((run_dir / "wandb").glob("offline-run-*"))
    assert [str(path) for path in offline_runs] == [sync_dir]
    assert any(offline_runs[0].glob("*.wandb"))


# --- without wandb: the parts of the contract that need no backend -------------------------


def test_null_logger_needs_no_start_and_finishes_twice():
    logger = NullLogger()
    logger.log({"loss/total": 1.0}, 0)
    logger.finish()
    logger.finish()


def test_wandb_logger_without_start_is_harmless(capsys):
    logger = WandbLogger()
    logger.log({"loss/total": 1.0}, 0)
    logger.finish()
    logger.finish()
    assert capsys.readouterr().err == ""


class FailingRun:
    """Stands in for a wandb run whose backend has gone away."""

    def __init__(self) -> None:
        self.logged, self.finished = 0, 0

    def log(self, metrics: dict[str, float], step: int) -> None:
        self.logged += 1
        raise ConnectionError("the service process is not running")

    def finish(self) -> None:
        self.finished += 1
        raise RuntimeError("could not flush")


def test_wandb_logger_warns_once_when_logging_fails_and_carries_on(capsys, tmp_path):
    logger = WandbLogger()
    logger.run, logger.sync_dir = FailingRun(), tmp_path / "wandb" / "run-x"
    run = logger.run
    for step in range(5):
        logger.log({"loss/total": 1.0}, step)
    logger.finish()
    logger.finish()
    assert (run.logged, run.finished) == (1, 1)
    warnings = stderr_lines(capsys.readouterr().err)
    assert len(warnings) == 2, warnings
    assert "wandb logging stopped at step 0 (ConnectionError: the service process is not running)" in warnings[0]
    assert "wandb could not finish the run (RuntimeError: could not flush)" in warnings[1]
    assert all(f"wandb sync {logger.sync_dir}" in line for line in warnings)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"mode": "cloud"}, "logger.mode must be one of auto, online, offline, disabled"),
        ({"init_timeout": 0}, "logger.init_timeout must be more than 0 seconds"),
        ({"init_timeout": "soon"}, "logger.init_timeout must be a number of seconds"),
        ({"finish_timeout": -1}, "logger.finish_timeout must be a number of seconds"),
    ],
)
def test_wandb_logger_rejects_bad_options(options, message, tmp_path):
    with pytest.raises(UserError, match=re.escape(message)):
        WandbLogger(**options).start(tmp_path, {})


# --- with wandb, in a fresh process ---------------------------------------------------------


def test_wandb_logger_writes_an_offline_run_without_a_key(tmp_path):
    report, stderr = run_child(tmp_path, {})
    assert report["mode"] == "offline"
    assert_offline_run_in(tmp_path / "run", report["sync_dir"])
    # wandb's own output is replaced by one line that says where the run is and how to upload it.
    assert stderr_lines(stderr) == [
        f"wandb: logging offline in {report['sync_dir']}; upload it later with `wandb sync {report['sync_dir']}`"
    ]


def test_wandb_logger_reports_a_bad_option_in_one_line(tmp_path):
    report, stderr = run_child(tmp_path, {}, mode="offline", no_such_option=1)
    assert re.fullmatch(
        r"wandb could not start offline \(TypeError: .*'no_such_option'\); check the logger options, "
        r"or use logger=none", report["error"]
    ), report
    assert stderr_lines(stderr) == []


def closed_port() -> int:
    """A local port where nothing listens: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never answers: a server that hangs."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    server.close()
    for connection in held:
        connection.close()


INIT_TIMEOUT = 5


@pytest.mark.parametrize("server", [pytest.param("refused", marks=pytest.mark.slow), "silent"])
def test_wandb_logger_falls_back_to_offline_when_the_server_is_unreachable(server, tmp_path, request):
    url = f"http://127.0.0.1:{closed_port()}" if server == "refused" else request.getfixturevalue("silent_server")
    report, stderr = run_child(tmp_path, {"WANDB_API_KEY": FAKE_KEY, "WANDB_BASE_URL": url}, init_timeout=INIT_TIMEOUT)
    # start() gives up on the server after init_timeout plus wandb's own set-up (wandb's default
    # is 90 s, and ~100 s in all), and nothing holds up the exit of the process afterwards
    # (wandb's usage telemetry, bound for the same server, held it ~20 s).
    assert report["start_s"] < INIT_TIMEOUT + 20, report
    assert report["exit_s"] < 10, report
    assert report["mode"] == "offline"
    assert_offline_run_in(tmp_path / "run", report["sync_dir"])
    lines = stderr_lines(stderr)
    assert len(lines) == 1, lines
    assert lines[0].startswith("warning: wandb could not start online (")
    assert f"fell back to offline logging in {report['sync_dir']}" in lines[0]
    assert lines[0].endswith(f"upload it later with `wandb sync {report['sync_dir']}`")


class FakeWandbServer:
    """Just enough of the W&B API for wandb-core to open an online run; after ``/stop`` every
    request hangs, like a server that went away mid-run."""

    def __init__(self) -> None:
        self.stopped = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/stop":
                    server.stopped.set()
                elif server.stopped.is_set():
                    time.sleep(120)
                    return
                self.answer(server.reply(self.path, body, self.headers.get("Host")))

            do_PUT = do_GET = do_POST

            def answer(self, data: dict[str, Any]) -> None:
                out = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    @staticmethod
    def reply(path: str, body: bytes, host: str | None) -> dict[str, Any]:
        if path != "/graphql":
            return {}
        request = json.loads(body or b"{}")
        query = request.get("query", "")
        variables = request.get("variables") or {}
        if "upsertBucket" in query:
            project = {"id": "p1", "name": variables.get("project"), "entity": {"id": "e1", "name": "me"}}
            bucket = {"id": "b1", "name": variables.get("name"), "displayName": "fake", "description": "",
                      "config": "{}", "sweepName": None, "project": project, "historyLineCount": 0}
            return {"data": {"upsertBucket": {"bucket": bucket, "inserted": True}}}
        if "createRunFiles" in query:
            files = variables.get("files", [])
            uploads = [{"name": name, "uploadUrl": f"http://{host}/upload/{i}"} for i, name in enumerate(files)]
            return {"data": {"createRunFiles": {"runID": "r1", "uploadHeaders": [], "files": uploads}}}
        return {"data": {}}

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.mark.slow
def test_wandb_logger_finishes_in_bounded_time_when_the_server_goes_away_mid_run(tmp_path):
    server = FakeWandbServer()
    try:
        report, stderr = run_child(
            tmp_path, {"WANDB_API_KEY": FAKE_KEY, "WANDB_BASE_URL": server.url},
            stop_url=f"{server.url}/stop", init_timeout=10, finish_timeout=3,
        )
    finally:
        server.close()
    assert report["mode"] == "online", f"wandb did not open a run on the fake server: {stderr.strip()}"
    lines = stderr_lines(stderr)
    # Logging goes on while the server hangs; at the end one warning says where the data is.
    assert re.fullmatch(rf"wandb: logging to {server.url}/me/transferbench/runs/\w+", lines[0]), lines
    assert len(lines) == 2, lines
    sync_dir = report["sync_dir"]
    assert lines[1] == (
        f"warning: wandb did not finish uploading within logger.finish_timeout=3s; what it logged is in "
        f"{sync_dir}: upload it with `wandb sync {sync_dir}`"
    )
    assert any(Path(sync_dir).glob("*.wandb"))
    assert report["exit_s"] < 10, report
