#!/usr/bin/env python
"""The 清明 rush: a cemetery opens its 祭扫 bookings and a city tries to book at once (issue 17).

    .venv/bin/python -m qhall.tools.bench_qingming [--requests 50000] [--clients 200]
        [--slots 16 --capacity 20] [--visitor-share 0.5] [--repeat-share 0.1] [--json FILE]

Starts qhall as production runs it (qhall.tools.bench.production_server: gunicorn, one
gevent worker, SQLite with synchronous=FULL) and, as the bureau's admin with a bearer
token, gives the demo's 市烈士陵园 (LSLY) service A (祭扫登记) a plan of --slots half-hour
slots from 08:00, --capacity places each, open on days the calendar rests
(follows_calendar false). The day booked is the next one the official calendar rests (a
weekend or a holiday, as 清明 is; 2027's 清明 is beyond the 90-day horizon and not yet in
config/calendar.toml).

Then --clients keep-alive clients send --requests bookings between them, as fast as
answers come: each a visitor's name, phone and slot (the earliest slot for a share of
them, as a rush does, any slot for the rest); --repeat-share of them are a phone that
already asked a moment before (the same person trying twice). --visitor-share of the
clients use the visitors' route (POST /api/units/LSLY/bookings), each address sending
at most the hall's per-address limit ([BOOKING] PER_CLIENT, left as it is) before the
client moves to the next address (127.1.x.y, as phones come from many); the others push
through the bureau's platform route (POST /api/units/LSLY/bookings/platform, not limited).

After the run it reads the SQLite file: no slot over its capacity, no phone with two
bookings that day, each 201 answer's code a row and each row answered. Prints the table
(and --json writes it): answers by kind, bookings/s, requests/s, latency p50/p95/p99/max,
overbooked slots and double bookings (target 0), p99 under 200 ms, the worker's peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from config import CONFIG_DIR
from qhall.tools.bench import peak_rss_mb, percentile, production_server, verdicts, worker_pid
from qhall.tools.bench_abuse import instance_of
from qhall.validate import read_toml
from qhall.workdays import official_calendar

UNIT, SERVICE, ADMIN = "LSLY", "A", "admin"
SLOT_MINUTES, FIRST_SLOT = 30, 8 * 60  # half-hour slots from 08:00
EARLIEST_SHARE = 0.3  # of the visitors, those who want the first slot of the day
TARGETS = {
    "overbooked_slots": ("<=", 0),
    "double_bookings": ("<=", 0),
    "answered_without_row": ("<=", 0),
    "rows_without_answer": ("<=", 0),
    "p99_ms": ("<", 200),
}
# Visitors' names, in turn; the phone is what tells them apart.
NAMES = ("王秀英", "李建国", "张丽华", "刘志强", "陈桂兰", "杨明", "赵淑珍", "黄伟")


def per_address_limit() -> int:
    """Return the hall's limit on one address's bookings ([BOOKING] PER_CLIENT, default
    settings: the bench's server has no others)."""
    return read_toml(CONFIG_DIR / "default.toml")["BOOKING"]["PER_CLIENT"]


def slot_starts(slots: int) -> list[str]:
    """Return the starts of the plan's slots: half-hourly from 08:00."""
    return [
        f"{m // 60:02d}:{m % 60:02d}"
        for m in range(FIRST_SLOT, FIRST_SLOT + slots * SLOT_MINUTES, SLOT_MINUTES)
    ]


def workload(requests: int, starts: list[str], repeat_share: float, seed: int = 17) -> list:
    """Return each request's (phone, slot start) in the order they are sent: mostly a new
    phone; for repeat_share, a phone that asked among the last few hundred requests, so
    that its first request may still be in flight."""
    rng = random.Random(seed)
    work: list[tuple[str, str]] = []
    for n in range(requests):
        if work and rng.random() < repeat_share:
            phone = work[rng.randrange(max(0, n - 400), n)][0]
        else:
            phone = f"139{n:08d}"
        start = starts[0] if rng.random() < EARLIEST_SHARE else rng.choice(starts)
        work.append((phone, start))
    return work


def source_addresses():
    """Yield the visitors' source addresses: 127.1.0.2, 127.1.0.3, … (all loopback)."""
    for n in range(250 * 256):
        yield f"127.1.{n // 250}.{n % 250 + 2}"
    raise SystemExit("the bench ran out of source addresses: send fewer requests")


def kind_of(status: int, body: dict) -> str:
    """Return what an answer means: booked, full, already_booked, limited or other."""
    if status == 201:
        return "booked"
    if status == 409 and body.get("code") == "already_booked":
        return "already_booked"
    if status == 409 and "fully booked" in body.get("message_en", ""):
        return "full"
    return "limited" if status == 429 else "other"


async def _send(http, url: str, body: dict) -> dict:
    """Send one booking; return what it was answered and how long that took."""
    began = time.perf_counter()
    async with http.post(url, json=body) as response:
        text = await response.text()
        ended = time.perf_counter()
    try:
        answer = json.loads(text)
    except ValueError:  # a proxy's or a crashed worker's page: kept as an example
        answer = {"status": response.status, "text": text[:200]}
    return {
        "kind": kind_of(response.status, answer),
        "code": answer.get("code") if response.status == 201 else None,
        "ms": (ended - began) * 1000,
        "ended": ended,
        "body": None if response.status in (201, 409, 429) else answer,
    }


async def _rush(base: str, token: str, day: str, work: list, clients: int, visitors: int):
    """Send every request of work from `clients` clients, `visitors` of them on the
    visitors' route; return the answers in the order of work, and the start time."""
    import aiohttp

    jobs = iter(enumerate(work))
    answers: list[dict | None] = [None] * len(work)
    addresses = source_addresses()
    limit = per_address_limit()

    def body(n: int, phone: str, start: str) -> dict:
        name = NAMES[n % len(NAMES)]
        return {"service": SERVICE, "day": day, "start": start, "name": name, "phone": phone}

    async def platform() -> None:
        url = f"{base}/api/units/{UNIT}/bookings/platform"
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as http:
            for n, (phone, start) in jobs:
                answers[n] = await _send(http, url, body(n, phone, start))

    async def visitor() -> None:
        url = f"{base}/api/units/{UNIT}/bookings"
        http, sent = None, 0
        for n, (phone, start) in jobs:
            if http is None or sent == limit:  # this address has had its share: the next
                if http is not None:
                    await http.close()
                address = next(addresses)
                http = aiohttp.ClientSession(
                    connector=aiohttp.TCPConnector(local_addr=(address, 0))
                )
                sent = 0
            answers[n] = await _send(http, url, body(n, phone, start))
            sent += 1
        if http is not None:
            await http.close()

    began = time.perf_counter()
    await asyncio.gather(*(visitor() if c < visitors else platform() for c in range(clients)))
    return answers, began


def admin_token(master) -> str:
    """Return a bearer token for the demo bureau's admin (`qhall user token`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QHALL_")}
    env["QHALL_INSTANCE"] = str(instance_of(master))
    qhall = str(Path(sys.executable).with_name("qhall"))
    made = subprocess.run(
        [qhall, "user", "token", ADMIN, "--name", "bench-qingming", "--days", "1"],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return made.stdout.strip().splitlines()[-1]


def open_bookings(base: str, token: str, slots: int, capacity: int) -> str:
    """Give the cemetery's 祭扫 its 清明 plan; return the day to book: the next one the
    official calendar rests."""
    import requests

    auth = {"Authorization": f"Bearer {token}"}
    end = FIRST_SLOT + slots * SLOT_MINUTES
    plan = {
        "service": SERVICE, "slot_minutes": SLOT_MINUTES, "capacity": capacity,
        "weekdays": "1234567", "hours": f"08:00-{end // 60:02d}:{end % 60:02d}",
        "days_ahead": 7, "follows_calendar": False,
    }  # fmt: skip
    answer = requests.put(f"{base}/api/units/{UNIT}/bookings/plan", json=plan, headers=auth)
    if answer.status_code != 200:
        raise SystemExit(f"the plan was refused: {answer.status_code} {answer.text}")
    days = requests.get(
        f"{base}/api/units/{UNIT}/bookings/slots", params={"service": SERVICE}
    ).json()["days"]
    calendar = official_calendar()
    rested = [d for d in days[1:] if not calendar.is_workday(date.fromisoformat(d))]
    day = rested[0] if rested else days[-1]  # a calendar that works a whole week: its last day
    slots_open = requests.get(
        f"{base}/api/units/{UNIT}/bookings/slots", params={"service": SERVICE, "day": day}
    ).json()["slots"]
    if [s["free"] for s in slots_open] != [capacity] * slots:
        raise SystemExit(f"the day {day} does not have {slots} free slots: {slots_open}")
    return day


def check_database(database: Path, day: str, capacity: int, answers: list[dict]) -> dict:
    """Read the bookings from the SQLite file and check what the rush must never do."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        rows = connection.execute(
            "SELECT b.code, b.start, b.visitor_phone FROM booking b"
            " JOIN service s ON s.id = b.service_id JOIN unit u ON u.id = s.unit_id"
            " WHERE u.code = ? AND s.code = ? AND b.day = ? AND b.state = 'booked'",
            (UNIT, SERVICE, day),
        ).fetchall()
    per_slot: dict[str, int] = {}
    per_phone: dict[str, int] = {}
    for _code, start, phone in rows:
        per_slot[start] = per_slot.get(start, 0) + 1
        per_phone[phone] = per_phone.get(phone, 0) + 1
    answered = {a["code"] for a in answers if a["kind"] == "booked"}
    stored = {code for code, _start, _phone in rows}
    return {
        "rows": len(rows),
        "overbooked_slots": sum(1 for count in per_slot.values() if count > capacity),
        "double_bookings": sum(1 for count in per_phone.values() if count > 1),
        "answered_without_row": len(answered - stored),
        "rows_without_answer": len(stored - answered),
    }


def figures(answers: list[dict], began: float) -> dict:
    """Return the answers by kind, the rates and the latency percentiles."""
    kinds = ("booked", "full", "already_booked", "limited", "other")
    counts = {kind: sum(1 for a in answers if a["kind"] == kind) for kind in kinds}
    latencies = [a["ms"] for a in answers]
    ended = max(a["ended"] for a in answers)
    booked_by = max((a["ended"] for a in answers if a["kind"] == "booked"), default=began)
    return {
        "requests": len(answers),
        "bookings_made": counts["booked"],
        "refused_full": counts["full"],
        "refused_already_booked": counts["already_booked"],
        "refused_429": counts["limited"],
        "other_answers": counts["other"],
        "seconds": round(ended - began, 1),
        # While places were left: the rate the rush took them at.
        "seconds_to_last_booking": round(booked_by - began, 2),
        "bookings_per_s": round(counts["booked"] / max(booked_by - began, 1e-6), 1),
        "requests_per_s": round(len(answers) / (ended - began), 1),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies), 1),
    }


def run(args) -> dict:
    """Open the bookings, send the rush, check the database; return the report."""
    visitors = round(args.clients * args.visitor_share)
    # The demo halls' played week is not needed here, and on a busy machine it outlasts
    # production_server's wait for the server to start.
    with production_server({"DEMO_HISTORY": "false"}) as (base, master):
        pid = worker_pid(master)
        token = admin_token(master)
        day = open_bookings(base, token, args.slots, args.capacity)
        work = workload(args.requests, slot_starts(args.slots), args.repeat_share)
        answers, began = asyncio.run(_rush(base, token, day, work, args.clients, visitors))
        report = {
            "unit": UNIT, "service": SERVICE, "day": day, "slots": args.slots,
            "capacity": args.capacity, "places": args.slots * args.capacity,
            "clients": args.clients, "visitor_route_clients": visitors,
            "platform_route_clients": args.clients - visitors,
            "per_address_limit": per_address_limit(),
            "distinct_phones": len({phone for phone, _start in work}),
        }  # fmt: skip
        report.update(figures(answers, began))
        report.update(check_database(instance_of(master) / "qhall.db", day, args.capacity, answers))
        report["peak_rss_mb"] = round(peak_rss_mb(pid), 1)
        report["other_examples"] = [a["body"] for a in answers if a["kind"] == "other"][:3]
    report["targets_met"] = verdicts(report, TARGETS)
    return report


def table(report: dict) -> str:
    """Return the report as a readable table with the targets."""
    lines = [
        f"清明祭扫预约压力测试 the 清明 rush: {UNIT} service {SERVICE} on {report['day']}, "
        f"{report['slots']} slots × {report['capacity']} = {report['places']} places",
        f"  {report['clients']} keep-alive clients: {report['visitor_route_clients']} on the "
        f"visitors' route (at most {report['per_address_limit']} requests an address, the "
        f"hall's limit unchanged), {report['platform_route_clients']} on the platform route",
        "",
    ]
    skip = {"unit", "service", "day", "slots", "capacity", "places", "clients",
            "visitor_route_clients", "platform_route_clients", "per_address_limit",
            "targets_met", "other_examples"}  # fmt: skip
    for name, value in report.items():
        if name in skip:
            continue
        mark = ""
        if name in TARGETS:
            op, bound = TARGETS[name]
            met = "met" if report["targets_met"][name] else "MISSED"
            mark = f"target {op} {bound}: {met}"
        lines.append(f"  {name:<26} {value:>10}   {mark}")
    for example in report["other_examples"]:
        lines.append(f"  an other answer: {json.dumps(example, ensure_ascii=False)[:200]}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--slots", type=int, default=16, choices=range(1, 33), metavar="1..32")
    parser.add_argument("--capacity", type=int, default=20, choices=range(1, 1001),
                        metavar="1..1000")  # fmt: skip
    parser.add_argument("--visitor-share", type=float, default=0.5,
                        help="the share of clients on the visitors' route")  # fmt: skip
    parser.add_argument("--repeat-share", type=float, default=0.1,
                        help="the share of requests from a phone that already asked")  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args()
    if args.requests < 1 or args.clients < 1 or not 0 <= args.visitor_share <= 1:
        parser.error("--requests and --clients at least 1, --visitor-share 0 to 1")
    report = run(args)
    print(table(report))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
