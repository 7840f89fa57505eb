"""A hall server installs qhall as `make dist` builds it, with pip alone: no test tools, no
npm. The wheel's qhall serves the demo with its pages' front-end files and voice clips."""

from __future__ import annotations

import subprocess
import sys
import time
import venv

import pytest
import requests

from tests.servers import DEMO_KIOSK, PROJECT_ROOT, free_port, server_env, stop

pytestmark = pytest.mark.live

INSTALL_TIMEOUT_S = 600
STARTUP_TIMEOUT_S = 60


def test_the_wheel_serves_the_demo_from_a_clean_venv_without_the_test_tools(tmp_path):
    wheels = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir",
         str(wheels), str(PROJECT_ROOT)],
        check=True, timeout=INSTALL_TIMEOUT_S, cwd=tmp_path,
    )  # fmt: skip
    (wheel,) = wheels.glob("qhall-*.whl")
    venv.create(tmp_path / "venv", with_pip=True)
    python = tmp_path / "venv" / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)],
        check=True, timeout=INSTALL_TIMEOUT_S,
    )  # fmt: skip
    installed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=freeze"],
        capture_output=True, text=True, check=True,
    ).stdout.lower()  # fmt: skip
    assert "pytest" not in installed and "playwright" not in installed

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        # Run away from the checkout, so that nothing of it can stand in for the package.
        server = subprocess.Popen(
            [str(tmp_path / "venv" / "bin" / "qhall"), "serve", "--demo",
             "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp_path, env=server_env(tmp_path), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        _wait_until_healthy(base, server, log_path)
        page = requests.get(f"{base}/kiosk/MZJ", timeout=10)
        assert page.status_code == 200 and "取号" in page.text
        for asset in ("/vendor/socket.io.min.js", "/vendor/chart.umd.min.js", "/display/voice/0"):
            answer = requests.get(base + asset, timeout=10)
            assert answer.status_code == 200 and answer.content, asset
        ticket = requests.post(
            f"{base}/api/units/MZJ/tickets", json={"service": "A"}, headers=DEMO_KIOSK, timeout=10
        )
        assert ticket.status_code == 201, ticket.text
    finally:
        stop(server)
    assert "Traceback" not in log_path.read_text(errors="replace")


def _wait_until_healthy(base: str, server: subprocess.Popen, log_path) -> None:
    for _ in range(STARTUP_TIMEOUT_S * 10):
        if server.poll() is not None:
            pytest.fail(f"the installed qhall exited:\n{log_path.read_text()[-3000:]}")
        try:
            if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    pytest.fail(f"the installed qhall did not answer:\n{log_path.read_text()[-3000:]}")
