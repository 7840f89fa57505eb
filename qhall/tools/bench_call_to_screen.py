#!/usr/bin/env python3
"""Measure how long a call takes to reach the hall screen: from the moment a window's
"call next" is sent over the API to the moment the number is drawn on /display/<unit>.

Starts its own `qhall serve --demo` (gunicorn, one gevent worker) on 127.0.0.1 with a
temporary instance, opens the hall screen in headless Chromium, and times each call in
the browser with one clock (performance.now) for both ends:

    .venv/bin/python -m qhall.tools.bench_call_to_screen [--calls 50]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
UNIT = "MZJ"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run",
                 "--autoplay-policy=no-user-gesture-required"]  # fmt: skip

# In the page: send "call next" and resolve when the hall screen shows a different call.
TIME_ONE_CALL = """
async (url) => {
  const hall = document.getElementById("hall");
  const before = hall.dataset.current;
  const t0 = performance.now();
  const shown = new Promise((resolve) => {
    const watch = new MutationObserver(() => {
      if (hall.dataset.current !== before) { watch.disconnect(); resolve(performance.now()); }
    });
    watch.observe(hall, { attributes: true, attributeFilter: ["data-current"] });
  });
  const answered = fetch(url, { method: "POST", credentials: "same-origin",
    headers: { "Idempotency-Key": crypto.randomUUID() } }).then((r) => {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return performance.now();
    });
  const [tShown, tAnswered] = await Promise.all([shown, answered]);
  return { shown: tShown - t0, answered: tAnswered - t0, number: hall.dataset.current };
}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(instance: Path, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QHALL_")}
    env["QHALL_INSTANCE"] = str(instance)
    qhall = Path(sys.executable).with_name("qhall")
    process = subprocess.Popen(
        [str(qhall), "serve", "--demo", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return process
        except requests.RequestException:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("the server did not start")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--warm-up", type=int, default=3)
    args = parser.parse_args()
    total = args.calls + args.warm_up

    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(Path(tmp) / "instance", port)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
                )
                context = browser.new_context(viewport={"width": 1920, "height": 1080})
                page = context.new_page()
                api = context.request  # shares the page's cookies: the screen's tab signs in
                api.post(f"{base}/api/session", data={"login": "mzj-1", "password": "qhall-demo"})
                api.post(f"{base}/api/units/{UNIT}/counters/1/open")
                for _ in range(total):
                    api.post(
                        f"{base}/api/units/{UNIT}/tickets",
                        data={"service": "A"},
                        headers={"X-Device-Token": "demo-kiosk-mzj"},
                    )
                page.goto(f"{base}/display/{UNIT}")
                page.wait_for_selector("#windows .window-card")
                url = f"{base}/api/units/{UNIT}/counters/1/call-next"
                results = [page.evaluate(TIME_ONE_CALL, url) for _ in range(total)]
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=15)

    measured = results[args.warm_up :]
    shown = [r["shown"] for r in measured]
    answered = [r["answered"] for r in measured]
    print(
        f"{len(measured)} calls (after {args.warm_up} warm-up), qhall serve on 127.0.0.1, headless Chromium"
    )
    for label, values in (("API answer   ", answered), ("number shown ", shown)):
        print(
            f"  {label} p50 {statistics.median(values):6.1f} ms   "
            f"p90 {percentile(values, 0.9):6.1f} ms   p99 {percentile(values, 0.99):6.1f} ms   "
            f"max {max(values):6.1f} ms"
        )


if __name__ == "__main__":
    main()
