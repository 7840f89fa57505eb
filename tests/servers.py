"""Real qhall servers for tests that need one: `qhall serve` (gunicorn, one gevent worker)
in a subprocess with its own instance folder, on 127.0.0.1. A pytest plugin (listed in
tests/conftest.py): the `live_server` fixture, and the server's output in the report of a
failed test that used it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from qhall import demo_fakes

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# The demo bureau's registered kiosk at MZJ (config/demo.toml): tickets taken with it
# are a kiosk's, not limited like a phone's.
DEMO_KIOSK = {"X-Device-Token": "demo-kiosk-mzj"}
STARTUP_TIMEOUT_S = 20
SHUTDOWN_TIMEOUT_S = 10
LOG_TAIL_LINES = 60


@dataclass
class LiveServer:
    """A running `qhall serve`: where it answers and where its output goes."""

    base_url: str
    log_path: Path
    process: subprocess.Popen

    def output(self, lines: int = LOG_TAIL_LINES) -> str:
        """Return the last lines the server wrote to stdout and stderr."""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def free_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def qhall_command() -> str:
    """Return the `qhall` script of the interpreter running the tests (the project venv)."""
    script = Path(sys.executable).with_name("qhall")
    if not script.exists():
        pytest.fail(f"the qhall command is not installed next to {sys.executable}")
    return str(script)


def server_env(tmp: Path, **settings: str) -> dict[str, str]:
    """Return the environment for a server that touches nothing outside tmp; settings
    become QHALL_<NAME> variables (DATABASE_URL, MESSAGE_QUEUE, ...)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("QHALL_")}
    env["QHALL_INSTANCE"] = str(tmp / "instance")
    env["PYTHONUNBUFFERED"] = "1"
    # The demo's played week costs seconds at every start; the tests that need it ask for it.
    env["QHALL_DEMO_HISTORY"] = "false"
    # No fakes beside a demo server (qhall/demo_fakes.py) unless a test asks for them: their
    # ports are fixed, and other tests' outbox channels must stay as they set them.
    env.update({f"QHALL_{name}": value for name, value in demo_fakes.OFF.items()})
    env.update({f"QHALL_{name}": value for name, value in settings.items()})
    return env


def stop(process: subprocess.Popen) -> None:
    """Stop the server gracefully; kill its process group if it does not stop in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=SHUTDOWN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the master and its worker
        process.wait(timeout=SHUTDOWN_TIMEOUT_S)


def wait_until_healthy(server: LiveServer) -> None:
    """Poll GET /healthz until it answers 200, the server exits, or time runs out."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(
                f"qhall serve exited with code {server.process.returncode} before answering "
                f"/healthz.\n--- server output ---\n{server.output()}"
            )
        try:
            response = requests.get(f"{server.base_url}/healthz", timeout=1)
            if response.status_code == 200 and response.json() == {"status": "ok"}:
                return
            last_error = f"HTTP {response.status_code}: {response.text[:200]}"
        except requests.RequestException as error:
            last_error = repr(error)
        time.sleep(0.1)
    stop(server.process)
    pytest.fail(
        f"qhall serve did not answer /healthz within {STARTUP_TIMEOUT_S} s ({last_error}).\n"
        f"--- server output ---\n{server.output()}"
    )


@contextmanager
def running_server(
    tmp: Path, *args: str, port: int | None = None, **settings: str
) -> Iterator[LiveServer]:
    """Run `qhall serve ARGS` on 127.0.0.1 until the block ends; output goes to tmp."""
    port = port or free_port()
    tmp.mkdir(parents=True, exist_ok=True)
    log_path = tmp / f"server-{port}.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [qhall_command(), "serve", *args, "--host", "127.0.0.1", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=server_env(tmp, **settings),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so a kill reaches the worker too
        )
    server = LiveServer(base_url=f"http://127.0.0.1:{port}", log_path=log_path, process=process)
    try:
        wait_until_healthy(server)
        yield server
    finally:
        stop(process)


def open_and_empty_window(
    session: requests.Session, base_url: str, window: int, unit: str = "MZJ"
) -> None:
    """Open a window of a live server's hall as a signed-in staff session and let it call
    until no one waits for it (each call lets the visitor in hand go as a no-show): whatever earlier
    tests left behind, the next ticket taken for it is the next one called."""
    base = f"{base_url}/api/units/{unit}/counters/{window}"
    opened = session.post(f"{base}/open", timeout=10)
    assert opened.status_code == 200, opened.text
    assert opened.json()["counter"]["state"] == "open"
    for _ in range(100):
        called = session.post(f"{base}/call-next", timeout=10)
        assert called.status_code == 200, called.text
        if called.json()["ticket"] is None:
            return
    pytest.fail(f"window {window} still had tickets to call after 100 calls")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """Start `qhall serve --demo` on a free port and yield it; stop it afterwards."""
    with running_server(tmp_path_factory.mktemp("qhall-live"), "--demo") as server:
        yield server


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the server's latest output to the report of a failed test that used one."""
    report = yield
    server = getattr(item, "funcargs", {}).get("live_server")
    if report.failed and isinstance(server, LiveServer):
        report.sections.append(("qhall server output (last lines)", server.output()))
    return report
