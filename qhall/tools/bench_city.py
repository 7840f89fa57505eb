"""qhall as a city runs it: 1, 2, then 4 server processes on one PostgreSQL and one Redis.

    .venv/bin/python -m qhall.tools.bench_city [--processes 1,2,4] [--seconds 10]
        [--sockets-per-process 1000 | --sockets-total 10000] [--calls 20]
        [--database-url URL] [--message-queue URL] [--json PATH]

For each process count, on a database of its own (created empty, seeded with the demo
bureau once, dropped afterwards), `qhall serve --demo` runs that many times, each on its
own port of 127.0.0.1, all with QHALL_DATABASE_URL and QHALL_MESSAGE_QUEUE set. Then:

1. Ticket issuing: 16 keep-alive kiosk clients spread round-robin over the processes for
   --seconds (wrk, one connection per wrk thread): tickets/s, p50 and p99 over every
   request, and how many requests each connection made (min, median, max).
2. Call to screen: raw Engine.IO websocket clients (qhall.tools.bench._screen) spread
   round-robin over the processes, all in the hall's room; a call made through each
   process in turn; the time until every client has the number the call answered with.

Without --database-url or --message-queue, a throw-away PostgreSQL cluster or Redis is
started on 127.0.0.1 (as tests/scale/conftest.py does) and removed at the end. With a
--database-url, its user must be allowed to create databases. Prints a table per process
count and the scaling of tickets/s; asserts nothing. Every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import glob
import json
import os
import re
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from qhall.tools.bench import (
    DEMO_KIOSK,
    JOIN_BATCH,
    PASSWORD,
    SCREENS_PER_ADDRESS,
    STAFF,
    UNIT,
    _screen,
    free_port,
    peak_rss_mb,
    percentile,
    platform_line,
    production_server,
    screen_sessions,
    worker_pid,
)

# config/deploy/gunicorn.conf.py: one worker holds at most this many connections.
WORKER_CONNECTIONS = 4000
CALL_WAIT_S = 10

# The demo's registered kiosk (DEMO_KIOSK). One connection per wrk thread, so a thread's count is a connection's. done() prints each
# connection's responses, the run's totals and its latency (microseconds) at 1,000 evenly
# spaced percentiles, each standing for a thousandth of its requests: merged, they give the
# percentiles over all processes to within a thousandth.
WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Device-Token"] = "demo-kiosk-mzj"
local services = {"A", "B", "C", "D"}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) n = 0 responses = 0 end
function request()
  n = n + 1
  return wrk.format(nil, nil, nil, '{"service": "' .. services[n % 4 + 1] .. '"}')
end
function response(status, headers, body) responses = responses + 1 end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    io.write(string.format("conn %d\\n", thread:get("responses")))
  end
  local e = summary.errors
  io.write(string.format("sum %d %d %d %d\\n", summary.requests, summary.duration,
    e.status, e.connect + e.read + e.write + e.timeout))
  for i = 1, 1000 do
    io.write(string.format("lat %d\\n", latency:percentile((i - 0.5) / 10)))
  end
end
"""


# --- PostgreSQL and Redis -------------------------------------------------------------


def _as_postgres_user(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; as root, run it as the postgres user.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def throwaway_postgres():
    """Start a PostgreSQL cluster on a free port of 127.0.0.1; yield its URL; remove it."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if not found:
        raise SystemExit("PostgreSQL is not installed (Debian package postgresql): scripts/setup")
    bin_dir = Path(found[-1]).parent
    home = Path(tempfile.mkdtemp(prefix="qhall-city-pg-"))
    if os.geteuid() == 0:
        shutil.chown(home, "postgres", "postgres")
    data, port = home / "data", free_port()
    user = "postgres" if os.geteuid() == 0 else getpass.getuser()
    # Four processes of 32 connections each, and the seeding: 200 leaves room.
    options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c max_connections=200"
    try:
        subprocess.run(
            _as_postgres_user([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust",
                               "-U", user, "-E", "UTF8", "--locale=C"]),
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        subprocess.run(
            _as_postgres_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
                               "-l", str(home / "postgres.log"), "-w", "-t", "30", "start"]),
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        yield f"postgresql://{user}@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_postgres_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
                capture_output=True, timeout=60,
            )  # fmt: skip
        shutil.rmtree(home, ignore_errors=True)


@contextmanager
def throwaway_redis():
    """Start Redis on a free port of 127.0.0.1, keeping nothing on disk; yield its URL."""
    import redis

    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit("redis-server is not installed (Debian package redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        for _ in range(150):
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        else:
            raise SystemExit(f"Redis did not start on port {port}")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def fresh_database(server_url: str):
    """Create an empty database on the server of server_url; yield its URL; drop it."""
    import psycopg2

    name = f"qhall_city_{os.getpid()}_{secrets.token_hex(3)}"
    admin = psycopg2.connect(server_url)
    admin.autocommit = True  # CREATE and DROP DATABASE run outside a transaction
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
        finally:
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


def seed(settings: dict[str, str]) -> None:
    """Seed the demo bureau and play its past week once, before any server starts: a
    server started on it finds the week played and starts in seconds."""
    with tempfile.TemporaryDirectory(prefix="qhall-city-seed-") as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("QHALL_")}
        env.update({f"QHALL_{k}": v for k, v in settings.items()}, QHALL_INSTANCE=home)
        qhall = str(Path(sys.executable).with_name("qhall"))
        done = subprocess.run([qhall, "demo"], env=env, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise SystemExit(
                f"seeding the demo failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
            )


@contextmanager
def city(processes: int, settings: dict[str, str]):
    """Run `qhall serve --demo` that many times on one database; yield their
    (base URL, master process) pairs."""
    with ExitStack() as stack:
        # One after the other; each finds the demo bureau seeded (seed()) and keeps it.
        yield [stack.enter_context(production_server(settings)) for _ in range(processes)]


# --- 1. ticket issuing ----------------------------------------------------------------


def spread(total: int, parts: int) -> list[int]:
    """Return how many of total go to each part, round-robin."""
    return [len(range(part, total, parts)) for part in range(parts)]


def _run_wrk(bases: list[str], clients: int, seconds: int, script: str) -> list[str]:
    """Run one wrk per process at once, its share of the clients each; return their outputs."""
    runs = [
        subprocess.Popen(
            [
                "wrk",
                "-t",
                str(share),
                "-c",
                str(share),
                "-d",
                f"{seconds}s",
                "--timeout",
                "10s",
                "-s",
                script,
                f"{base}/api/units/{UNIT}/tickets",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
        for base, share in zip(bases, spread(clients, len(bases)), strict=True)
        if share
    ]
    return [run.communicate(timeout=seconds + 120)[0] for run in runs]


def weighted_percentile(samples: list[tuple[float, float]], share: float) -> float:
    """Return the value below which `share` of the weight lies; samples are (value, weight)."""
    total = sum(weight for _, weight in samples)
    seen = 0.0
    for value, weight in sorted(samples):
        seen += weight
        if seen >= share * total:
            return value
    return samples[-1][0] if samples else 0.0


def measure_issuing(bases: list[str], clients: int, seconds: int) -> dict:
    """Issue tickets with `clients` keep-alive connections spread over the processes."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: run scripts/setup (Debian package wrk)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        _run_wrk(bases, clients, 2, script.name)  # warm-up, discarded: first queries, caches
        outputs = _run_wrk(bases, clients, seconds, script.name)
    finally:
        os.unlink(script.name)
    per_connection: list[int] = []
    latencies: list[tuple[float, float]] = []
    requests = failed = 0
    duration_us = 0
    for out in outputs:
        if "\nsum " not in out:
            raise SystemExit(f"wrk gave no figures:\n{out[-2000:]}")
        done = int(out.split("\nsum ", 1)[1].split()[0])
        for kind, *fields in (line.split() for line in out.splitlines() if line[:4] in
                              ("conn", "sum ", "lat ")):  # fmt: skip
            numbers = [int(float(field)) for field in fields]
            if kind == "conn":
                per_connection.append(numbers[0])
            elif kind == "sum":
                requests += numbers[0]
                duration_us = max(duration_us, numbers[1])
                failed += numbers[2] + numbers[3]
            else:
                latencies.append((numbers[0], done / 1000))
    return {
        "issue_per_s": round((requests - failed) / (duration_us / 1e6), 1),
        "issue_p50_ms": weighted_percentile(latencies, 0.50) / 1000,
        "issue_p99_ms": weighted_percentile(latencies, 0.99) / 1000,
        "issue_errors": failed,
        "issue_clients": clients,
        "requests_per_connection": {
            "min": min(per_connection),
            "median": statistics.median(per_connection),
            "max": max(per_connection),
        },
    }


# --- 2. call to screen ----------------------------------------------------------------


def own_rss_mb() -> float:
    """Return this process's resident memory now."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


async def _signed_in(aiohttp, base: str):
    """Return an HTTP session signed in as the hall's staff on one process."""
    # unsafe=True: aiohttp keeps no cookies from an IP address (127.0.0.1) otherwise.
    http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    await _post(http, base, "/api/session", {"login": STAFF, "password": PASSWORD})
    return http


async def _post(http, base: str, path: str, body: dict | None = None) -> dict:
    async with http.post(base + path, json=body, headers=DEMO_KIOSK) as response:
        if response.status >= 400:
            raise SystemExit(f"POST {base}{path}: {response.status} {await response.text()}")
        return await response.json()


async def _call_to_city(bases: list[str], sockets: int, calls: int) -> dict:
    """Put `sockets` screens in the hall, round-robin over the processes; make `calls`
    calls, through each process in turn; time each until every screen has it."""
    import aiohttp

    received: dict[str, list[float]] = {}
    # A city's screens come from many addresses, and the server limits each address's
    # messages (qhall.web.realtime): a few hundred screens from each of 127.0.0.2, .3, …
    screens = screen_sessions(sockets)
    tasks: list[asyncio.Task] = []
    rss_before = own_rss_mb()
    started = time.perf_counter()
    for start in range(0, sockets, JOIN_BATCH):
        joins = [asyncio.Event() for _ in range(min(JOIN_BATCH, sockets - start))]
        tasks += [
            asyncio.create_task(
                _screen(
                    screens[(start + i) // SCREENS_PER_ADDRESS],
                    bases[(start + i) % len(bases)],
                    received,
                    joined,
                )
            )
            for i, joined in enumerate(joins)
        ]
        await asyncio.wait_for(asyncio.gather(*(j.wait() for j in joins)), timeout=60)
    joined_s = time.perf_counter() - started
    rss_sockets = own_rss_mb()

    sessions = [await _signed_in(aiohttp, base) for base in bases]
    latencies = []
    try:
        await _post(sessions[0], bases[0], f"/api/units/{UNIT}/counters/1/open")
        for call in range(calls):
            base, http = bases[call % len(bases)], sessions[call % len(bases)]
            # One waiting at least; the window may call another who waited longer.
            await _post(http, base, f"/api/units/{UNIT}/tickets", {"service": "A"})
            sent = time.perf_counter()
            called = await _post(http, base, f"/api/units/{UNIT}/counters/1/call-next")
            number = called["ticket"]["number"]
            while len(received.get(number, [])) < sockets and time.perf_counter() < sent + 10:
                await asyncio.sleep(0.001)
            arrivals = received.get(number, [])
            if len(arrivals) < sockets:
                raise SystemExit(f"only {len(arrivals)} of {sockets} screens heard {number}")
            latencies.append((max(arrivals) - sent) * 1000)
            await asyncio.sleep(0.05)
    finally:
        for http in sessions:
            await http.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for http in screens:
            await http.close()
    return {
        "sockets": sockets,
        "calls": calls,
        "join_all_s": round(joined_s, 1),
        "call_to_all_p50_ms": round(statistics.median(latencies), 1),
        "call_to_all_p99_ms": round(percentile(latencies, 0.99), 1),
        "client_rss_for_sockets_mb": round(rss_sockets - rss_before, 1),
    }


# --- the run --------------------------------------------------------------------------


def measure_city(processes: int, args, server_url: str, queue_url: str) -> dict:
    """Measure one process count on a database of its own."""
    report: dict = {"processes": processes}
    sockets = args.sockets_total // processes if args.sockets_total else args.sockets_per_process
    with fresh_database(server_url) as url:
        # With the demo's past week, as `qhall bench` runs (the first process plays it).
        settings = {"DATABASE_URL": url, "MESSAGE_QUEUE": queue_url}
        started = time.perf_counter()
        seed(settings)
        report["seed_s"] = round(time.perf_counter() - started, 1)
        with city(processes, settings) as servers:
            bases = [base for base, _ in servers]
            print(f"{processes} process(es): issuing for {args.seconds} s …", file=sys.stderr)
            report.update(measure_issuing(bases, args.clients, args.seconds))
            if sockets > WORKER_CONNECTIONS - 100:
                report["call_skipped"] = (
                    f"{sockets} sockets a process is over a worker's {WORKER_CONNECTIONS}"
                )
            elif sockets:
                print(f"  {sockets * processes} screens, {args.calls} calls …", file=sys.stderr)
                report.update(asyncio.run(_call_to_city(bases, sockets * processes, args.calls)))
            report["server_peak_rss_mb"] = [
                round(peak_rss_mb(worker_pid(master)), 1) for _, master in servers
            ]
    return report


def run(args) -> dict:
    """Measure every process count; return the report."""
    report: dict = {
        "machine": f"{os.cpu_count()} cores, {platform_line()}",
        "seconds": args.seconds,
        "clients": args.clients,
        "cities": [],
    }
    with ExitStack() as stack:
        server_url = args.database_url or stack.enter_context(throwaway_postgres())
        queue_url = args.message_queue or stack.enter_context(throwaway_redis())
        report["database"] = "given" if args.database_url else "throw-away PostgreSQL"
        for processes in args.processes:
            report["cities"].append(measure_city(processes, args, server_url, queue_url))
    first = report["cities"][0]["issue_per_s"]
    report["scaling"] = {
        str(city["processes"]): round(city["issue_per_s"] / first, 2) for city in report["cities"]
    }
    # ru_maxrss is in KiB on Linux: the bench client's own peak, the screens included.
    report["client_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return report


def table(report: dict) -> str:
    """Return the report as readable tables, one per process count."""
    lines = [f"qhall city bench on {report['machine']}; {report['clients']} kiosk clients, "
             f"{report['seconds']} s; database: {report['database']}"]  # fmt: skip
    for city in report["cities"]:
        lines += ["", f"{city['processes']} process(es)"]
        for name, value in city.items():
            if name == "processes":
                continue
            if isinstance(value, dict):
                value = " / ".join(f"{v:g}" for v in value.values()) + "  (min/median/max)"
            elif isinstance(value, list):
                value = ", ".join(f"{v:g}" for v in value)
            elif isinstance(value, float):
                value = f"{value:.1f}"
            lines.append(f"  {name:<28} {value}")
    lines += ["", "tickets/s over 1 process: " + ", ".join(
        f"{n} → {ratio:.2f}x" for n, ratio in report["scaling"].items())]  # fmt: skip
    lines.append(f"bench client's peak memory: {report['client_peak_rss_mb']} MB")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", default="1,2,4", help="process counts, e.g. 1,2,4")
    parser.add_argument("--seconds", type=int, default=10, help="issuing time per count")
    parser.add_argument("--clients", type=int, default=16, help="keep-alive kiosk clients")
    parser.add_argument("--sockets-per-process", type=int, default=1000)
    parser.add_argument("--sockets-total", type=int, default=0, help="instead, spread over all")
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--database-url", default="", help="PostgreSQL; default: a throw-away")
    parser.add_argument("--message-queue", default="", help="Redis; default: a throw-away")
    parser.add_argument("--json", dest="json_path", default=None, help="also write JSON here")
    args = parser.parse_args(argv)
    args.processes = [int(n) for n in args.processes.split(",")]
    report = run(args)
    print(table(report))
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
