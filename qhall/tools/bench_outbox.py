#!/usr/bin/env python
"""How fast the outbox delivers, and what it costs the ticket path.

    .venv/bin/python -m qhall.tools.bench_outbox [--messages 2000] [--latency-ms 10]

On a fresh SQLite instance (synchronous=FULL) with a fake receiver (qhall.tools.fake_receiver,
a real HTTP server on 127.0.0.1) that takes --latency-ms to answer each message:

Also `qhall bench --steps outbox` (a step of the benchmark, in its report and table).

1. Delivery: --messages rating reports are written (each in its own transaction, as the
   ratings are) while a sender thread delivers them (qhall.outbox.deliver_due, as the
   server's sender does); prints messages delivered a second and the delay from commit to
   arrival (p50, p99).
2. The ticket path: tickets issued in process alone, then with the sender busy delivering
   a backlog; prints issue latency p50 and p99 for both.

Targets (issue 18): at least 200 messages a second; the issue latency unchanged.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

from qhall.tools.bench import DEMO_KIOSK as KIOSK
from qhall.tools.bench import percentile
from qhall.tools.bench_cpu import demo_app_in_process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=10)
    parser.add_argument("--tickets", type=int, default=300)
    args = parser.parse_args()
    figures = measure_outbox(args.messages, args.latency_ms, args.tickets)
    print(
        f"delivery: {figures['outbox_delivered']} of {args.messages} messages = "
        f"{figures['outbox_per_s']} a second (target >= 200) with {args.latency_ms:g} ms "
        f"a message at the receiver; commit to arrival p50 {figures['outbox_delay_p50_ms']} "
        f"ms, p99 {figures['outbox_delay_p99_ms']} ms; sent twice: {figures['outbox_repeats']}"
    )
    for label, key in (("alone", "alone"), ("beside the busy sender", "busy")):
        print(f"issue latency {label}: p50 {figures[f'outbox_issue_{key}_p50_ms']} ms, "
              f"p99 {figures[f'outbox_issue_{key}_p99_ms']} ms")  # fmt: skip


def measure_outbox(messages: int = 2000, latency_ms: float = 10, tickets: int = 300) -> dict:
    """Return the outbox's figures (qhall bench's `outbox` step): delivery rate and delay,
    and issue latency alone and beside the busy sender."""
    app = demo_app_in_process("outbox")
    from qhall import outbox
    from qhall.db import db, unit_of_work
    from qhall.models import Unit
    from qhall.tools.fake_receiver import FakeReceiver

    unit = Unit.get(Unit.code == "MZJ")
    clock = app.extensions["qhall"].clock

    def write(count: int, first: int = 0) -> None:
        for index in range(first, first + count):
            with unit_of_work():
                payload = {"rating_id": index, "committed": time.time()}
                outbox.post("haocha", f"rating-{index}", payload, now=clock.now(), unit=unit)

    def send_until(receiver, stop: threading.Event, paused: threading.Event) -> None:
        channel = outbox.HttpChannel(receiver.url, "bench")
        with db.connection_context():
            while not stop.is_set():
                if paused.is_set() or not outbox.deliver_due("haocha", channel.send, clock.now()):
                    time.sleep(0.05)

    def issue_latencies(count: int) -> list[float]:
        kiosk, times = app.test_client(), []
        for _ in range(count):
            start = time.perf_counter()
            answer = kiosk.post("/api/units/MZJ/tickets", json={"service": "A"}, headers=KIOSK)
            assert answer.status_code == 201, answer.get_json()
            times.append((time.perf_counter() - start) * 1000)
        return times

    with FakeReceiver(secret="bench") as receiver:
        receiver.received.latency_s = latency_ms / 1000
        stop, paused = threading.Event(), threading.Event()
        sender = threading.Thread(target=send_until, args=(receiver, stop, paused))
        began = time.time()
        sender.start()
        write(messages)
        deadline = time.time() + 120
        while len(receiver.received.messages) < messages and time.time() < deadline:
            time.sleep(0.05)
        took = time.time() - began
        arrived = list(receiver.received.messages)
        delays = [(m["arrived"] - m["payload"]["committed"]) * 1000 for m in arrived]
        # The ticket path, alone and beside the sender delivering a backlog.
        alone = issue_latencies(tickets)
        paused.set()
        write(messages, first=messages)
        paused.clear()
        busy = issue_latencies(tickets)
        stop.set()
        sender.join(timeout=30)
        repeats = receiver.received.repeats
    figures = {
        "outbox_delivered": len(arrived),
        "outbox_per_s": round(len(arrived) / took),
        "outbox_delay_p50_ms": round(statistics.median(delays)) if delays else None,
        "outbox_delay_p99_ms": round(percentile(delays, 0.99)) if delays else None,
        "outbox_repeats": repeats,
    }
    for key, times in (("alone", alone), ("busy", busy)):
        figures[f"outbox_issue_{key}_p50_ms"] = round(statistics.median(times), 1)
        figures[f"outbox_issue_{key}_p99_ms"] = round(percentile(times, 0.99), 1)
    alone_p99 = figures["outbox_issue_alone_p99_ms"]
    figures["outbox_issue_p99_busy_over_alone"] = round(
        figures["outbox_issue_busy_p99_ms"] / alone_p99, 2
    )
    return figures


if __name__ == "__main__":
    main()
