"""The real production server for end-to-end tests: `qhall serve` (gunicorn, one gevent
worker) in a subprocess with its own instance folder and SQLite file, on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

PROJECT_ROOT = Path(__file__).resolve().parents[2]
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


def server_env(tmp: Path) -> dict[str, str]:
    """Return the environment for a server that touches nothing outside tmp."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("QHALL_")}
    env["QHALL_INSTANCE"] = str(tmp / "instance")
    env["PYTHONUNBUFFERED"] = "1"
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


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> LiveServer:
    """Start `qhall serve --demo` on a free port and yield it; stop it afterwards."""
    tmp = tmp_path_factory.mktemp("qhall-live")
    port = free_port()
    log_path = tmp / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [qhall_command(), "serve", "--demo", "--host", "127.0.0.1", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=server_env(tmp),
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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the server's latest output to the report of a failed end-to-end test."""
    report = yield
    server = getattr(item, "funcargs", {}).get("live_server")
    if report.failed and isinstance(server, LiveServer):
        report.sections.append(("qhall server output (last lines)", server.output()))
    return report


# --- the browser ---------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
# Without these Chromium reaches for Google's services at every start, which this
# closed network refuses; a root user in a container needs --no-sandbox.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/setup installs Debian's chromium package")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser tab (its own cookies) at a landscape 1920×1080 screen."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    tab = context.new_page()
    yield tab
    context.close()


def screenshot(tab, name: str) -> Path:
    """Save a screenshot under test-artifacts/screenshots/ for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    return path
