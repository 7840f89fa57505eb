#!/usr/bin/env python
"""How fast the outbox delivers, and what it costs the ticket path.

    .venv/bin/python -m qhall.tools.bench_outbox [--messages 2000] [--latency-ms 10]

On a fresh SQLite instance (synchronous=FULL) with a fake receiver (qhall.tools.fake_receiver,
a real HTTP server on 127.0.0.1) that takes --latency-ms to answer each message:

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
    app = demo_app_in_process("outbox")
    from qhall import outbox
    from qhall.db import db, unit_of_work
    from qhall.models import Unit
    from qhall.tools.fake_receiver import FakeReceiver

    unit = Unit.get(Unit.code == "MZJ")
    clock = app.extensions["qhall"].clock

    def write(count: int) -> None:
        for index in range(count):
            with unit_of_work():
                payload = {"rating_id": index, "committed": time.time()}
                outbox.post("haocha", f"rating-{index}", payload, now=clock.now(), unit=unit)

    def send_until(receiver, stop: threading.Event, paused: threading.Event) -> None:
        channel = outbox.HttpChannel(receiver.url, "bench")
        with db.connection_context():
            while not stop.is_set():
                if paused.is_set() or not outbox.deliver_due("haocha", channel.send, clock.now()):
                    time.sleep(0.05)

    with FakeReceiver(secret="bench") as receiver:
        receiver.received.latency_s = args.latency_ms / 1000
        stop, paused = threading.Event(), threading.Event()
        sender = threading.Thread(target=send_until, args=(receiver, stop, paused))
        began = time.time()
        sender.start()
        write(args.messages)
        deadline = time.time() + 120
        while len(receiver.received.messages) < args.messages and time.time() < deadline:
            time.sleep(0.05)
        took = time.time() - began
        arrived = receiver.received.messages
        delays = [(m["arrived"] - m["payload"]["committed"]) * 1000 for m in arrived]
        print(f"delivery: {len(arrived)} of {args.messages} messages in {took:.1f} s = "
              f"{len(arrived) / took:.0f} a second (target >= 200) with {args.latency_ms:g} ms "
              f"a message at the receiver; commit to arrival p50 "
              f"{statistics.median(delays):.0f} ms, p99 {percentile(delays, 0.99):.0f} ms; "
              f"sent twice: {receiver.received.repeats}")  # fmt: skip

        # The ticket path, alone and beside a busy sender.
        kiosk = app.test_client()

        def issue_latencies(count: int) -> list[float]:
            times = []
            for _ in range(count):
                start = time.perf_counter()
                answer = kiosk.post("/api/units/MZJ/tickets", json={"service": "A"},
                                    headers=KIOSK)  # fmt: skip
                assert answer.status_code == 201, answer.get_json()
                times.append((time.perf_counter() - start) * 1000)
            return times

        alone = issue_latencies(args.tickets)
        paused.set()
        write(args.messages)  # a backlog for the sender to deliver while tickets are issued
        paused.clear()
        busy = issue_latencies(args.tickets)
        left = args.messages * 2 - len(receiver.received.messages)
        stop.set()
        sender.join(timeout=30)
        for label, times in (("alone", alone), ("beside the busy sender", busy)):
            print(f"issue latency {label}: p50 {statistics.median(times):.1f} ms, "
                  f"p99 {percentile(times, 0.99):.1f} ms")  # fmt: skip
        print(f"(the sender still had {left} messages to deliver when the tickets were done)")


if __name__ == "__main__":
    main()
