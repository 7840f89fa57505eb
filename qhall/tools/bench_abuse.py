"""`qhall bench --abuse`: how the hall's server holds up while strangers abuse it (issue 13).

    .venv/bin/python -m qhall.tools.bench_abuse [--seconds 10]

Starts qhall as it runs in production (gunicorn, one gevent worker, SQLite) on 127.0.0.1,
a fresh server for each attack, and measures /healthz latency (p50, p99) from a client
asking it every 20 ms while:

a. 8 clients send bad passwords (a new login each time, so each try costs a hash);
b. one Socket.IO client sends 1,000 `join`s in a burst;
c. 10 clients post 1 MB JSON bodies.

Also the database's growth (the file and its WAL) and the worker's peak memory during each.
Targets: p99 under 100 ms, growth under 1 MB. Prints figures; asserts nothing. Every loop
is bounded in count and time.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from qhall.tools.bench import percentile, production_server, worker_pid

UNIT = "MZJ"
TARGET_P99_MS = 100
TARGET_GROWTH_MB = 1.0
HEALTH_EVERY_S = 0.02
HEALTH_TIMEOUT_S = 60  # a stalled server shows as a long latency, not as a gap
MB = 1024 * 1024
PASSWORD_CLIENTS, PASSWORD_TRIES = 8, 40  # each client stops at its tries or the time
JOINS = 1_000
BODY_CLIENTS, BODY_POSTS = 10, 10


def instance_of(master) -> Path:
    """Return the instance folder the server was started with (from its environment)."""
    environ = Path(f"/proc/{master.pid}/environ").read_bytes().split(b"\0")
    for entry in environ:
        if entry.startswith(b"QHALL_INSTANCE="):
            return Path(entry.split(b"=", 1)[1].decode())
    raise SystemExit("the server's instance folder is unknown")


def database_bytes(instance: Path) -> int:
    base = instance / "qhall.db"
    return sum(p.stat().st_size for p in (base, Path(f"{base}-wal")) if p.exists())


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def probe_health(base: str, worker: int, stop, results) -> None:
    """Ask /healthz every HEALTH_EVERY_S until stopped; put the latencies, the failures and
    the worker's peak memory on results."""
    latencies, failures, peak = [], 0, 0.0
    with requests.Session() as http:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                ok = http.get(f"{base}/healthz", timeout=HEALTH_TIMEOUT_S).ok
            except requests.RequestException:
                ok = False
            if ok:
                latencies.append((time.perf_counter() - started) * 1000)
            else:
                failures += 1
            peak = max(peak, rss_mb(worker))
            stop.wait(HEALTH_EVERY_S)
    results.put((latencies, failures, peak))


class HealthProbe:
    """/healthz asked from a process of its own, so that the attacking threads' share of
    this process's interpreter does not count as the server's latency."""

    def __init__(self, base: str, worker: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._stop, self._results = context.Event(), context.Queue()
        self._process = context.Process(
            target=probe_health, args=(base, worker, self._stop, self._results), daemon=True
        )
        self.latencies_ms: list[float] = []
        self.failures = 0
        self.peak_rss_mb = 0.0

    def __enter__(self) -> HealthProbe:
        self._process.start()
        time.sleep(1)  # the probe's interpreter starting, before the attack does
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self.latencies_ms, self.failures, self.peak_rss_mb = self._results.get(
            timeout=HEALTH_TIMEOUT_S + 10
        )
        self._process.join(timeout=10)


def bad_passwords(base: str, seconds: float) -> Counter:
    """8 clients send wrong passwords, each for a login never tried before."""
    deadline = time.monotonic() + seconds

    def client(n: int) -> Counter:
        statuses: Counter = Counter()
        with requests.Session() as http:
            for attempt in range(PASSWORD_TRIES):
                if time.monotonic() > deadline:
                    break
                response = http.post(
                    f"{base}/api/session",
                    json={"login": f"intruder-{n}-{attempt}", "password": "guess"},
                    timeout=60,
                )
                statuses[response.status_code] += 1
        return statuses

    with ThreadPoolExecutor(PASSWORD_CLIENTS) as pool:
        return sum(pool.map(client, range(PASSWORD_CLIENTS)), Counter())


def join_burst(base: str, seconds: float) -> Counter:
    """One Socket.IO client emits 1,000 joins, then waits for the server to get through them.
    It speaks Engine.IO v4 on a websocket directly, as qhall bench's hall screens do."""
    import asyncio

    import aiohttp

    async def flood() -> Counter:
        statuses: Counter = Counter()
        url = base.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        join = f'42["join",{{"unit":"{UNIT}"}}]'
        async with aiohttp.ClientSession() as http, http.ws_connect(url) as ws:
            await ws.receive()  # Engine.IO "open"
            await ws.send_str("40")  # connect to the default namespace
            await ws.receive()  # "40{sid}"
            for _ in range(JOINS):
                await ws.send_str(join)
            await ws.send_str(join.replace("42", "42999", 1))  # the last asks for ack 999
            try:
                async with asyncio.timeout(60):
                    async for message in ws:
                        if message.type != aiohttp.WSMsgType.TEXT:
                            break
                        if message.data == "2":  # the server's ping
                            await ws.send_str("3")
                        elif message.data.startswith("43999"):
                            refused = "too_many" in message.data
                            statuses["refused" if refused else "answered"] += 1
                            return statuses
            except TimeoutError:
                statuses["neither answered nor cut off in 60 s"] += 1
                return statuses
            statuses["cut off"] += 1
            return statuses

    statuses = asyncio.run(flood())
    time.sleep(min(seconds, 1.0))  # a little calm after, for the probe to see the recovery
    return statuses


def large_bodies(base: str, seconds: float) -> Counter:
    """10 clients post 1 MB JSON bodies (sign-ins with a 1 MB login)."""
    deadline = time.monotonic() + seconds
    body = json.dumps({"login": "x" * MB, "password": "guess"}).encode()

    def client(n: int) -> Counter:
        statuses: Counter = Counter()
        with requests.Session() as http:
            for _ in range(BODY_POSTS):
                if time.monotonic() > deadline:
                    break
                try:
                    response = http.post(
                        f"{base}/api/session",
                        data=body,
                        headers={"Content-Type": "application/json"},
                        timeout=60,
                    )
                    statuses[response.status_code] += 1
                except requests.RequestException as error:
                    statuses[type(error).__name__] += 1
        return statuses

    with ThreadPoolExecutor(BODY_CLIENTS) as pool:
        return sum(pool.map(client, range(BODY_CLIENTS)), Counter())


ATTACKS = {
    "a. 8 clients, bad passwords": bad_passwords,
    "b. 1 client, 1,000 joins": join_burst,
    "c. 10 clients, 1 MB bodies": large_bodies,
}


def measure(attack, seconds: float) -> dict:
    """Run one attack against a fresh server; return /healthz latency and the server's cost."""
    # The demo without its played week: it would take longer to start than the bench waits.
    with production_server({"DEMO_HISTORY": "false"}) as (base, master):
        worker = worker_pid(master)
        instance = instance_of(master)
        before = database_bytes(instance)
        started = time.monotonic()
        with HealthProbe(base, worker) as probe:
            answers = attack(base, seconds)
        took = time.monotonic() - started
        growth = (database_bytes(instance) - before) / MB
        restarted = worker_pid(master) != worker
    latencies = probe.latencies_ms or [float("nan")]
    return {
        "healthz_p50_ms": statistics.median(latencies),
        "healthz_p99_ms": percentile(latencies, 0.99),
        "healthz_max_ms": max(latencies),
        "healthz_answers": len(probe.latencies_ms),
        "healthz_failures": probe.failures,
        "db_growth_mb": growth,
        "peak_rss_mb": probe.peak_rss_mb,
        "worker_restarted": restarted,
        "attack_s": took,
        "attack_answers": dict(sorted((str(k), v) for k, v in answers.items())),
    }


def table(results: dict) -> str:
    """Return the figures with the targets, one attack a block."""
    lines = [f"qhall abuse bench; targets: /healthz p99 < {TARGET_P99_MS} ms, "
             f"database growth < {TARGET_GROWTH_MB} MB", ""]  # fmt: skip
    for name, figures in results.items():
        p99_met = figures["healthz_p99_ms"] < TARGET_P99_MS
        growth_met = figures["db_growth_mb"] < TARGET_GROWTH_MB
        lines += [
            name,
            f"  /healthz p50 {figures['healthz_p50_ms']:8.1f} ms   p99 "
            f"{figures['healthz_p99_ms']:8.1f} ms ({'met' if p99_met else 'MISSED'})   max "
            f"{figures['healthz_max_ms']:8.1f} ms   ({figures['healthz_answers']} answers, "
            f"{figures['healthz_failures']} failed)",
            f"  database growth {figures['db_growth_mb']:6.2f} MB "
            f"({'met' if growth_met else 'MISSED'})   worker peak RSS "
            f"{figures['peak_rss_mb']:.0f} MB   worker restarted: {figures['worker_restarted']}",
            f"  attack {figures['attack_s']:.1f} s, answers {figures['attack_answers']}",
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="longest time per attack")
    parser.add_argument("--json", dest="json_path", default=None, help="also write JSON here")
    args = parser.parse_args(argv)
    results = {}
    for name, attack in ATTACKS.items():
        print(f"{name} ...", file=sys.stderr, flush=True)
        results[name] = measure(attack, args.seconds)
    print(table(results))
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
