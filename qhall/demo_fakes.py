"""The outside world of the demo, started beside `qhall serve --demo` so that a newcomer
sees the whole loop: a fake 好差评 platform and a fake SMS gateway (qhall.tools.fake_receiver,
each a real HTTP server on 127.0.0.1 with a page of what it received) and a simulated ID
card reader (kiosk/id_card_bridge.py). The outbox's channels are pointed at the fakes
through the environment the server is started with. Each fake dies with the server; stop
one by hand (kill its process) and the outbox keeps its messages until it is back.
"""

from __future__ import annotations

import ctypes
import os
import secrets
import signal
import subprocess
import sys

# The demo's kiosk at MZJ names the reader's default port (config/demo.toml).
PRINTED = {
    "haocha": ("模拟省好差评平台", "fake 好差评 platform"),
    "sms": ("模拟短信网关", "fake SMS gateway"),
    "id_card": ("模拟身份证读卡器", "simulated ID card reader"),
}

# The settings that start none of them (QHALL_<name> in the environment): the benchmarks
# and the tests serve the demo without its outside world.
OFF = {f"DEMO_FAKE_PORTS__{fake}": "0" for fake in PRINTED}


def _die_with_the_server() -> None:
    # Runs in the child before exec: a signal when the process that started it (the
    # server, once `serve` has exec'd gunicorn) ends, so no fake outlives the demo.
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _spawn(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_die_with_the_server if sys.platform == "linux" else None,
    )


def start(ports: dict, origins: list[str]) -> list[tuple[str, str, str]]:
    """Start the fakes whose port is not 0; point the outbox's channels at them in this
    process's environment (which the server inherits); return (zh, en, address) of each."""
    started = []
    for channel in ("haocha", "sms"):
        port = int(ports.get(channel, 0))
        if not port:
            continue
        secret = secrets.token_hex(16)  # only this server and its fake know it
        _spawn(["-m", "qhall.tools.fake_receiver", "--port", str(port), "--secret", secret,
                "--quiet"])  # fmt: skip
        url = f"http://127.0.0.1:{port}/"
        os.environ[f"QHALL_OUTBOX__CHANNELS__{channel}__URL"] = url
        os.environ[f"QHALL_OUTBOX__CHANNELS__{channel}__SECRET"] = secret
        started.append((*PRINTED[channel], url))
    port = int(ports.get("id_card", 0))
    if port:
        origin_args = [arg for origin in origins for arg in ("--origin", origin)]
        _spawn(["-m", "kiosk.id_card_bridge", "--simulate", "--port", str(port), *origin_args])
        started.append((*PRINTED["id_card"], f"http://127.0.0.1:{port}/simulate"))
    return started
