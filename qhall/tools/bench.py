"""`qhall bench`: start qhall as it runs in production on 127.0.0.1 and measure it.

1. Ticket issuing: concurrent kiosk clients over HTTP for a while (wrk), throughput and
   latency percentiles.
2. Call to screen: many Socket.IO clients in the hall's room; calls made over HTTP; the
   time until every client has the event.
3. The server's peak memory (RSS) while 2 runs.
4. Ticket render and send to a fake network printer on 127.0.0.1.

Everything stays on 127.0.0.1 and every loop is bounded in count and time.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

TARGETS = {
    "issue_per_s": (">=", 1000),
    "issue_p99_ms": ("<", 25),
    # No kiosk starved: the slowest connection gets at least half the fastest's answers,
    # and the tail stays within ten times the median.
    "issue_fairness_min_over_max": (">=", 0.5),
    "issue_p99_over_p50": ("<=", 10),
    "call_to_all_p99_ms": ("<", 100),
    "peak_rss_mb": ("<", 250),
    "print_p99_ms": ("<", 30),
}
UNIT = "MZJ"
STAFF, PASSWORD = "mzj-1", "qhall-demo"
# The demo's registered kiosk at MZJ (config/demo.toml): its tickets are not limited.
DEMO_KIOSK = {"X-Device-Token": "demo-kiosk-mzj"}

WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Device-Token"] = "demo-kiosk-mzj"
local services = {"A", "B", "C", "D"}
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, '{"service": "' .. services[n % 4 + 1] .. '"}')
end
-- Fairness: wrk runs one thread per connection here (-t = -c), so a thread's count of
-- answers is its connection's; done() prints each, for the bench to read.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) answered = 0 end
function response(status, headers, body) answered = answered + 1 end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    io.write(string.format("connection answered: %d\\n", thread:get("answered")))
  end
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    """Return the value below which `share` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


@contextmanager
def production_server(settings: dict[str, str]):
    """Run `qhall serve --demo` (gunicorn, one gevent worker) on a free port."""
    home = Path(tempfile.mkdtemp(prefix="qhall-bench-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QHALL_")}
    env.update(
        {"QHALL_INSTANCE": str(home / "instance"), **{f"QHALL_{k}": v for k, v in settings.items()}}
    )
    qhall = str(Path(sys.executable).with_name("qhall"))
    log = (home / "server.log").open("wb")
    server = subprocess.Popen(
        [qhall, "serve", "--demo", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        import requests

        for _ in range(300):
            try:
                if requests.get(f"{base}/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            raise SystemExit(
                f"the server did not start:\n{(home / 'server.log').read_text()[-3000:]}"
            )
        yield base, server
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()
        shutil.rmtree(home, ignore_errors=True)


def worker_pid(master: subprocess.Popen) -> int:
    """Return the pid of the gunicorn worker under the master we started."""
    for _ in range(50):
        children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise SystemExit("no gunicorn worker found")


def peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def measure_issuing(base: str, clients: int, seconds: int) -> dict:
    """Issue tickets with wrk: `clients` connections for `seconds`."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: run scripts/setup (Debian package wrk)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    # Warm up first, results discarded: a brand-new database file grows its WAL with every
    # commit for the first few thousand tickets, and each growth costs an fsync of the
    # file's size; a hall's database has long passed that.
    subprocess.run(
        ["wrk", "-t", "2", "-c", str(clients), "-d", "3s", "-s", script.name,
         f"{base}/api/units/{UNIT}/tickets"],
        capture_output=True, timeout=60,
    )  # fmt: skip
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(clients),
            "-c",
            str(clients),
            "-d",
            f"{seconds}s",
            "--latency",
            "-s",
            script.name,
            f"{base}/api/units/{UNIT}/tickets",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    ).stdout
    os.unlink(script.name)

    def millis(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    per_connection = sorted(int(n) for n in re.findall(r"connection answered: (\d+)", out))
    return {
        # Requests answered per keep-alive connection: a starved kiosk shows as a low minimum.
        "issue_per_connection_min": per_connection[0],
        "issue_per_connection_median": statistics.median(per_connection),
        "issue_per_connection_max": per_connection[-1],
        "issue_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "issue_p50_ms": millis("50"),
        "issue_p99_ms": millis("99"),
        "issue_errors": int(errors.group(1)) if errors else 0,
        "issue_fairness_min_over_max": round(per_connection[0] / max(1, per_connection[-1]), 2),
        "issue_p99_over_p50": round(millis("99") / max(0.001, millis("50")), 1),
    }


CALLED = re.compile(r'^42\["ticket\.called".*?"number": ?"(\w+)"')


async def _screen(http, base: str, received: dict, joined: asyncio.Event) -> None:
    """One hall screen on the wire: an Engine.IO v4 websocket that joins the hall's room
    and notes when each call arrives. It speaks the protocol directly, so that a thousand of
    them fit in one process without their own decoding dominating what is measured."""
    url = base.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    async with http.ws_connect(url, max_msg_size=0) as ws:
        await ws.receive()  # Engine.IO "open"
        await ws.send_str("40")  # connect to the default namespace
        await ws.receive()  # "40{sid}"
        await ws.send_str(f'420["join",{{"unit":"{UNIT}"}}]')
        async for message in ws:
            data = message.data
            if data == "2":  # the server's ping
                await ws.send_str("3")
            elif data.startswith("430"):  # the join's ack: the snapshot
                joined.set()
            elif match := CALLED.match(data):
                received.setdefault(match.group(1), []).append(time.perf_counter())


async def _call_to_screens(base: str, sockets: int, calls: int) -> dict:
    import aiohttp

    received: dict[str, list[float]] = {}
    screens = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    tasks = []
    for start in range(0, sockets, 50):  # in batches: a hall's screens come up over time
        joins = [asyncio.Event() for _ in range(min(50, sockets - start))]
        tasks += [asyncio.create_task(_screen(screens, base, received, j)) for j in joins]
        await asyncio.wait_for(asyncio.gather(*(j.wait() for j in joins)), timeout=60)

    latencies = []
    # unsafe=True: aiohttp keeps no cookies from an IP address (127.0.0.1) otherwise.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:

        async def post(path: str, body: dict | None = None) -> dict:
            async with http.post(base + path, json=body, headers=DEMO_KIOSK) as response:
                if response.status >= 400:
                    raise SystemExit(f"POST {path}: {response.status} {await response.text()}")
                return await response.json()

        await post("/api/session", {"login": STAFF, "password": PASSWORD})
        await post(f"/api/units/{UNIT}/counters/1/open")
        for _ in range(calls):
            await post(f"/api/units/{UNIT}/tickets", {"service": "A"})
            sent = time.perf_counter()
            # The number the window called, not the one just issued: on a database that
            # still holds waiting tickets (PostgreSQL between steps), call-next takes the oldest.
            called = await post(f"/api/units/{UNIT}/counters/1/call-next")
            number = called["ticket"]["number"]
            deadline = sent + 10
            while len(received.get(number, [])) < sockets and time.perf_counter() < deadline:
                await asyncio.sleep(0.001)
            arrivals = received.get(number, [])
            if len(arrivals) < sockets:
                raise SystemExit(
                    f"only {len(arrivals)} of {sockets} clients heard {number} within 10 s"
                )
            latencies.append((max(arrivals) - sent) * 1000)
            await asyncio.sleep(0.05)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await screens.close()
    return {
        "call_to_all_p50_ms": statistics.median(latencies),
        "call_to_all_p99_ms": percentile(latencies, 0.99),
        "sockets": sockets,
        "calls": calls,
    }


def measure_printing(jobs: int) -> dict:
    """Render tickets and send them to a fake network printer (qhall.tools.bench_printer)."""
    from qhall.tools.bench_printer import measure

    steps, _ = measure(jobs, 576)
    times = steps["total"]
    return {"print_p50_ms": statistics.median(times), "print_p99_ms": percentile(times, 0.99)}


def verdicts(report: dict) -> dict:
    """Return for each target whether the figure meets it."""
    checks = {">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b}
    return {
        name: checks[op](report[name], bound)
        for name, (op, bound) in TARGETS.items()
        if name in report
    }


def run(
    seconds: int, clients: int, sockets: int, calls: int, print_jobs: int, settings: dict
) -> dict:
    """Run every measurement and return the report."""
    report: dict = {
        "machine": f"{os.cpu_count()} cores, {platform_line()}",
        "database": settings.get("DATABASE_URL") or "sqlite (instance file, synchronous=FULL)",
    }
    with production_server(settings) as (base, master):
        report.update(measure_issuing(base, clients, seconds))
    with production_server(settings) as (base, master):
        pid = worker_pid(master)
        report.update(asyncio.run(_call_to_screens(base, sockets, calls)))
        report["peak_rss_mb"] = round(peak_rss_mb(pid), 1)
    report.update(measure_printing(print_jobs))
    report["targets_met"] = verdicts(report)
    return report


def platform_line() -> str:
    import platform

    return f"{platform.machine()}, Python {platform.python_version()}"


def table(report: dict) -> str:
    """Return the report as a readable table with the targets."""
    lines = [f"qhall bench on {report['machine']}; database: {report['database']}", ""]
    for name, value in report.items():
        if name in ("machine", "database", "targets_met"):
            continue
        target = TARGETS.get(name)
        mark = ""
        if target:
            mark = f"target {target[0]} {target[1]}: " + (
                "met" if report["targets_met"][name] else "MISSED"
            )
        shown = f"{value:.1f}" if isinstance(value, float) else str(value)
        lines.append(f"  {name:<22} {shown:>10}   {mark}")
    return "\n".join(lines)


def main_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2)
