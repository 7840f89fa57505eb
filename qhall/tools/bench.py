"""`qhall bench`: start qhall as it runs in production on 127.0.0.1 and measure it.

1. Ticket issuing: concurrent kiosk clients over HTTP for a while (wrk), throughput and
   latency percentiles.
2. Calling: eight windows call the next visitor at once (qhall.tools.bench_calling).
3. Call to screen: many Socket.IO clients in the hall's room; calls made over HTTP; the
   time until every client has the event.
4. The server's peak memory (RSS) while 3 runs.
5. Ticket render and send to a fake network printer on 127.0.0.1.

`--steps` runs some of them; `--against URL` instead issues with the same client against
qhall and another system in turn, and `--b-setting KEY=VALUE` against two configurations
of qhall (A, B, A, B ...), each round on a fresh server.

Everything stays on 127.0.0.1 and every loop is bounded in count and time.
"""

from __future__ import annotations

import asyncio
import ipaddress
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
from urllib.parse import urlsplit

from qhall import demo_fakes

TARGETS = {
    "issue_per_s": (">=", 1000),
    "issue_p99_ms": ("<", 25),
    # No kiosk starved: the slowest connection gets at least half the fastest's answers,
    # and the tail stays within ten times the median.
    "issue_fairness_min_over_max": (">=", 0.5),
    "issue_p99_over_p50": ("<=", 10),
    # Eight windows calling at once: fast, evenly shared, and never one ticket twice.
    "call_per_s": (">=", 500),
    "call_fairness_min_over_max": (">=", 0.5),
    "call_p99_over_p50": ("<=", 10),
    "call_double_calls": ("<=", 0),
    "call_to_all_p99_ms": ("<", 100),
    "peak_rss_mb": ("<", 250),
    "print_p99_ms": ("<", 30),
    # The outbox (issue 18): 200 messages a second to a receiver taking 10 ms each, and the
    # ticket path's tail no slower beside the busy sender (a quarter more at most).
    "outbox_per_s": (">=", 200),
    "outbox_issue_p99_busy_over_alone": ("<=", 1.25),
}
UNIT = "MZJ"
STAFF, PASSWORD = "mzj-1", "qhall-demo"
# The demo's registered kiosk at MZJ (config/demo.toml): its tickets are not limited.
DEMO_KIOSK = {"X-Device-Token": "demo-kiosk-mzj"}

# The issuing client, one wrk thread per connection (-t = -c) so that a thread's count of
# answers is its connection's; done() prints each, for the bench to read. The method,
# headers and request bodies are filled in by wrk_script: qhall's kiosks rotate the
# services, a system compared side by side sends its own body.
WRK_TEMPLATE = """
wrk.method = {method}
{headers}
local bodies = {{{bodies}}}
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, bodies[n % #bodies + 1])
end
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) answered = 0 end
function response(status, headers, body) answered = answered + 1 end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    io.write(string.format("connection answered: %d\\n", thread:get("answered")))
  end
end
"""
# A demo kiosk's tickets, the services in turn.
QHALL_BODIES = [json.dumps({"service": code}) for code in ("A", "B", "C", "D")]
QHALL_HEADERS = {"Content-Type": "application/json", **DEMO_KIOSK}
HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an HTTP token
SETTING_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


def lua_string(text: str) -> str:
    """Return text as a quoted Lua string: printable ASCII as it is, every other byte
    (quotes, backslashes, line ends, UTF-8) as a decimal escape, which every Lua reads."""
    return (
        '"'
        + "".join(
            chr(b) if 32 <= b < 127 and chr(b) not in '"\\' else f"\\{b:03d}"
            for b in text.encode("utf-8")
        )
        + '"'
    )


def wrk_script(method: str, headers: dict[str, str], bodies: list[str]) -> str:
    """Return the issuing client's Lua script for a method, headers and the bodies it sends
    in turn (none: an empty body)."""
    lines = [f"wrk.headers[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items()]
    return WRK_TEMPLATE.format(
        method=lua_string(method),
        headers="\n".join(lines),
        bodies=", ".join(lua_string(b) for b in bodies) or "false",  # false: no body
    )


def parse_header(line: str) -> tuple[str, str]:
    """Return (name, value) from a header written 'Name: value'; ValueError if it is not."""
    name, colon, value = line.partition(":")
    name, value = name.strip(), value.strip()
    if not colon or not HEADER_NAME.match(name) or "\r" in value or "\n" in value:
        raise ValueError(
            f"请求头应写成 'Name: value'：{line!r}。 A header is written 'Name: value': {line!r}."
        )
    return name, value


def check_local(url: str) -> str:
    """Return the URL if it is on this machine (the bench sends nothing further);
    ValueError if it is not."""
    host = urlsplit(url).hostname or ""
    try:
        local = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = False
    if not local or urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(
            f"只能对本机地址（127.0.0.1）进行对比测试：{url}。 "
            f"The bench compares only with an http(s) address on this machine: {url}."
        )
    return url


def parse_setting(text: str) -> tuple[str, str]:
    """Return (KEY, value) from a setting written KEY=VALUE (QHALL_ before KEY optional)."""
    key, equals, value = text.partition("=")
    key = key.strip().upper().removeprefix("QHALL_")
    if not equals or not SETTING_NAME.match(key):
        raise ValueError(
            f"设置应写成 KEY=VALUE：{text!r}。 A setting is written KEY=VALUE: {text!r}."
        )
    return key, value


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
    # The demo's fakes stay off: a gateway would make every booking ask for a texted code.
    chosen = {**demo_fakes.OFF, **settings}
    env.update(
        {"QHALL_INSTANCE": str(home / "instance"), **{f"QHALL_{k}": v for k, v in chosen.items()}}
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
    """Issue tickets with wrk: `clients` demo kiosks for `seconds`."""
    script = wrk_script("POST", QHALL_HEADERS, QHALL_BODIES)
    return measure_wrk(f"{base}/api/units/{UNIT}/tickets", script, clients, seconds)


def measure_wrk(url: str, script: str, clients: int, seconds: int) -> dict:
    """Send requests with wrk and a script: `clients` connections for `seconds`."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: run scripts/setup (Debian package wrk)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    # Warm up first, results discarded: a brand-new database file grows its WAL with every
    # commit for the first few thousand tickets, and each growth costs an fsync of the
    # file's size; a hall's database has long passed that.
    subprocess.run(
        ["wrk", "-t", "2", "-c", str(clients), "-d", "3s", "-s", file.name, url],
        capture_output=True, timeout=60,
    )  # fmt: skip
    out = subprocess.run(
        ["wrk", "-t", str(clients), "-c", str(clients), "-d", f"{seconds}s", "--latency",
         "-s", file.name, url],
        capture_output=True, text=True, timeout=seconds + 60,
    ).stdout  # fmt: skip
    os.unlink(file.name)
    if "Requests/sec" not in out:
        raise SystemExit(f"wrk measured nothing at {url}:\n{out[-2000:]}")

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
            elif data.startswith("430"):  # the join's ack: the snapshot, or why not
                if '"error"' in data[:200]:
                    raise SystemExit(f"a screen's join was refused: {data[:300]}")
                joined.set()
            elif match := CALLED.match(data):
                received.setdefault(match.group(1), []).append(time.perf_counter())


JOIN_BATCH = 50  # screens come up in batches, as a hall's do over time
# The server limits each address's messages (qhall.web.realtime), and a hall's screens and
# phones come from many addresses: the bench's come from 127.0.0.2, .3, … 200 from each.
SCREENS_PER_ADDRESS = 200


def screen_sessions(sockets: int) -> list:
    """Return one HTTP session per source address, enough for `sockets` screens."""
    import aiohttp

    return [
        aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0, local_addr=(f"127.0.0.{2 + group}", 0))
        )
        for group in range(-(-sockets // SCREENS_PER_ADDRESS))
    ]


async def _call_to_screens(base: str, sockets: int, calls: int) -> dict:
    import aiohttp

    received: dict[str, list[float]] = {}
    screens = screen_sessions(sockets)
    tasks = []
    for start in range(0, sockets, JOIN_BATCH):
        joins = [asyncio.Event() for _ in range(min(JOIN_BATCH, sockets - start))]
        tasks += [
            asyncio.create_task(
                _screen(screens[(start + i) // SCREENS_PER_ADDRESS], base, received, joined)
            )
            for i, joined in enumerate(joins)
        ]
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
    for session in screens:
        await session.close()
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


def verdicts(report: dict, targets: dict = TARGETS) -> dict:
    """Return for each target (the bench's, or another tool's) whether the figure meets it."""
    checks = {">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b}
    return {
        name: checks[op](report[name], bound)
        for name, (op, bound) in targets.items()
        if name in report
    }


STEPS = ("issue", "call", "screens", "print", "outbox")


def parse_steps(text: str) -> tuple[str, ...]:
    """Return the steps a comma list names, in the bench's order; ValueError on an unknown one."""
    named = {step.strip() for step in text.split(",") if step.strip()}
    unknown = sorted(named - set(STEPS))
    if unknown or not named:
        raise ValueError(
            f"未知的步骤 {', '.join(unknown) or '（空）'}；可选 {','.join(STEPS)}。 "
            f"Unknown step {', '.join(unknown) or '(none)'}; choose from {','.join(STEPS)}."
        )
    return tuple(step for step in STEPS if step in named)


def run(
    seconds: int,
    clients: int,
    sockets: int,
    calls: int,
    print_jobs: int,
    settings: dict,
    steps: tuple[str, ...] = STEPS,
    call_tickets: int = 2000,
) -> dict:
    """Run the measurements `steps` names and return the report."""
    report = _heading(settings)
    if "issue" in steps:
        with production_server(settings) as (base, _master):
            report.update(measure_issuing(base, clients, seconds))
    if "call" in steps:
        from qhall.tools.bench_calling import measure_calling

        # A server of its own: the windows it adds and the line it empties stay out of the
        # other steps, and out of the peak memory measured below.
        with production_server(settings) as (base, _master):
            report.update(measure_calling(base, tickets=call_tickets, seconds=seconds))
    if "screens" in steps:
        with production_server(settings) as (base, master):
            pid = worker_pid(master)
            report.update(asyncio.run(_call_to_screens(base, sockets, calls)))
            report["peak_rss_mb"] = round(peak_rss_mb(pid), 1)
    if "print" in steps:
        report.update(measure_printing(print_jobs))
    if "outbox" in steps:
        from qhall.tools.bench_outbox import measure_outbox

        report.update(measure_outbox())
    report["targets_met"] = verdicts(report)
    return report


def _heading(settings: dict) -> dict:
    return {
        "machine": f"{os.cpu_count()} cores, {platform_line()}",
        "database": settings.get("DATABASE_URL")
        or "sqlite (instance file, synchronous=" + settings.get("SQLITE_SYNCHRONOUS", "FULL") + ")",
    }


def medians(rounds: list[dict]) -> dict:
    """Return the median of each figure over rounds (the figures every round has)."""
    names = [name for name, value in rounds[0].items() if isinstance(value, int | float)]
    return {name: statistics.median(r[name] for r in rounds) for name in names}


def _compare(sides: dict[str, tuple], rounds: int) -> dict:
    """Measure each side in turn, `rounds` times (a, b, a, b ...), so that a change in the
    shared machine's load falls on both sides alike; each side is (what it is, a function
    returning its figures)."""
    per_round: list[dict] = []
    for n in range(1, rounds + 1):
        for side, (_what, measure) in sides.items():
            per_round.append({"round": n, "side": side, **measure()})
    by_side = {
        side: medians([{k: v for k, v in r.items() if k != "round"} for r in per_round
                       if r["side"] == side])
        for side in sides
    }  # fmt: skip
    return {
        "sides": {side: what for side, (what, _measure) in sides.items()},
        "rounds": per_round,
        "medians": by_side,
        "targets_met": {side: verdicts(figures) for side, figures in by_side.items()},
    }


def run_against(
    url: str,
    body: str | None,
    headers: dict[str, str],
    rounds: int,
    seconds: int,
    clients: int,
    settings: dict,
) -> dict:
    """Issue with the same wrk client against qhall and against another system's URL in
    turn, `rounds` times, on one qhall server; return each round and each side's medians."""
    if body is not None and "content-type" not in {k.lower() for k in headers}:
        headers = {"Content-Type": "application/json", **headers}
    other = wrk_script("POST" if body is not None else "GET", headers, [body] if body else [])
    with production_server(settings) as (base, _master):
        sides = {
            "qhall": (
                f"{base}/api/units/{UNIT}/tickets",
                lambda: measure_issuing(base, clients, seconds),
            ),
            "other": (url, lambda: measure_wrk(url, other, clients, seconds)),
        }
        return {**_heading(settings), "mode": "against", **_compare(sides, rounds)}


def run_ab(b_settings: dict, rounds: int, seconds: int, clients: int, settings: dict) -> dict:
    """Issue on configuration A (settings) and B (settings with b_settings) in turn,
    `rounds` times, each on a fresh server; return each round and each side's medians."""

    def measure(chosen: dict):
        with production_server(chosen) as (base, _master):
            return measure_issuing(base, clients, seconds)

    b = {**settings, **b_settings}
    sides = {
        "A": (_shown(settings), lambda: measure(settings)),
        "B": (_shown(b), lambda: measure(b)),
    }
    return {**_heading(settings), "mode": "a/b", **_compare(sides, rounds)}


def _shown(settings: dict) -> str:
    return " ".join(f"QHALL_{k}={v}" for k, v in sorted(settings.items())) or "(defaults)"


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
        lines.append(f"  {name:<28} {_cell(value):>10}   {mark}")
    return "\n".join(lines)


def main_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2)


def comparison_table(report: dict) -> str:
    """Return a side-by-side or A/B report as a readable table: rounds, then medians."""
    lines = [f"qhall bench ({report['mode']}) on {report['machine']}", ""]
    for side, what in report["sides"].items():
        lines.append(f"  {side}: {what}")
    names = list(report["medians"][next(iter(report["sides"]))])
    short = [SHORT_NAMES.get(name, name).removeprefix("issue_") for name in names]
    lines += ["", "  " + "round  side  " + " ".join(f"{n[:12]:>12}" for n in short)]
    rows = [(str(r["round"]), r["side"], r) for r in report["rounds"]]
    rows += [("median", side, figures) for side, figures in report["medians"].items()]
    for label, side, figures in rows:
        cells = " ".join(f"{_cell(figures[name]):>12}" for name in names)
        lines.append(f"  {label:<7}{side:<6}{cells}")
    lines.append("")
    for side, met in report["targets_met"].items():
        missed = [name for name, ok in met.items() if not ok]
        lines.append(
            f"  {side}: targets " + ("met" if not missed else "MISSED: " + ", ".join(missed))
        )
    return "\n".join(lines)


# The comparison table's column headings, where a figure's own name is too long.
SHORT_NAMES = {
    "issue_per_connection_min": "conn_min",
    "issue_per_connection_median": "conn_median",
    "issue_per_connection_max": "conn_max",
    "issue_fairness_min_over_max": "fairness",
    "issue_p99_over_p50": "p99/p50",
}


def _cell(value) -> str:
    # Two decimals for the small ratios (fairness 0.97 is not 1.0), one for the rest.
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)
