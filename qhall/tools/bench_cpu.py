#!/usr/bin/env python
"""What a ticket and a call cost the server's core, without HTTP or other clients around it.

    .venv/bin/python -m qhall.tools.bench_cpu [--tickets 1000] [--calls 500] [--profile]

Seeds the demo bureau into a fresh SQLite instance (synchronous=FULL, as in production),
opens window 1 of MZJ, then goes through the Flask application in process: issues tickets
at the demo kiosk, then calls them at window 1. Prints CPU milliseconds per ticket and per
call (time.process_time) and how many SQL statements each runs; with --profile, the
functions that take the most of each (cProfile). One gevent worker runs on one core, so
1,000 / (ms per ticket) is the most tickets a second it can give.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
import time

from qhall.tools.bench import DEMO_KIOSK as KIOSK


def demo_app_in_process(name: str):
    """Return the application on a fresh instance folder of its own, the demo bureau
    seeded (without its played week) and its printers writing into that folder."""
    os.environ.update(
        QHALL_INSTANCE=tempfile.mkdtemp(prefix=f"qhall-bench-{name}-"),
        QHALL_DEMO_PRINTERS="true",
        QHALL_DEMO_HISTORY="false",
    )
    from qhall.app import create_app
    from qhall.cli import _init_db, _seed_demo

    app = create_app()
    _init_db(app)
    _seed_demo(app)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--profile", action="store_true", help="also print the top functions")
    args = parser.parse_args()
    app = demo_app_in_process("cpu")
    from qhall.db import db

    kiosk, window = app.test_client(), app.test_client()
    signed_in = window.post("/api/session", json={"login": "mzj-1", "password": "qhall-demo"})
    opened = window.post("/api/units/MZJ/counters/1/open", json={})
    assert signed_in.status_code < 300 and opened.status_code < 300, opened.get_json()
    statements = _count_statements(db.obj)

    def issue(count: int) -> None:
        for _ in range(count):
            answer = kiosk.post("/api/units/MZJ/tickets", json={"service": "A"}, headers=KIOSK)
            assert answer.status_code == 201, answer.get_json()

    def call(count: int) -> None:
        for _ in range(count):
            answer = window.post("/api/units/MZJ/counters/1/call-next", json={})
            assert answer.status_code == 200 and answer.get_json()["ticket"], answer.get_json()

    issue(100)  # warm up: caches, the WAL's first growth
    for name, step, count in (("ticket", issue, args.tickets), ("call", call, args.calls)):
        statements[0] = 0
        began = time.process_time()
        step(count)
        cpu_ms = (time.process_time() - began) / count * 1000
        print(f"{name}: {cpu_ms:.2f} ms CPU, {statements[0] / count:.1f} SQL statements each "
              f"(over {count}); at most {1000 / cpu_ms:.0f} a second on one core")  # fmt: skip
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(step, min(count, 300))
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(r"qhall|api\.py", 25)


def _count_statements(database) -> list[int]:
    """Count the statements the database runs from now on (in a one-item list)."""
    counted = [0]
    execute_sql = database.execute_sql

    def counting(*args, **kwargs):
        counted[0] += 1
        return execute_sql(*args, **kwargs)

    database.execute_sql = counting
    return counted


if __name__ == "__main__":
    main()
