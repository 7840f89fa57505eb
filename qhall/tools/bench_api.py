"""The web layer's cost on the ticket path: the WSGI app called directly, no server, no socket.

    .venv/bin/python -m qhall.tools.bench_api [--rounds 3] [--requests 5000]

Builds the app on a demo-seeded database in a temporary instance folder (the demo halls,
their registered kiosks), then times POST /api/units/MZJ/tickets as the demo kiosk at MZJ
sends it: its X-Device-Token, a fresh Idempotency-Key each time, {"service": ...}. Prints
the CPU µs per request of each round (process_time: the fsyncs' waiting is left out, and
other load on a shared machine disturbs it less than wall time, also printed), their mean
and the best round (the least disturbed by other load). To compare two trees, run it with PYTHONPATH pointing at each.

The core's work (numbering, the estimates over a growing queue, the commit) is most of a
ticket's cost and grows through a run; --stub-core answers every ticket with one canned
issued ticket instead, leaving only what the web layer does: parsing and validating the
input, the kiosk check, publishing and rendering the answer.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

UNIT = "MZJ"
SERVICES = ("A", "B", "C", "D")
DEMO_KIOSK_TOKEN = "demo-kiosk-mzj"  # config/demo.toml
WARM_UP = 500


def demo_app(instance: Path):
    """Return the app on a freshly seeded demo bureau in instance."""
    os.environ["QHALL_INSTANCE"] = str(instance)
    os.environ["QHALL_DEMO_PRINTERS"] = "true"  # the demo's registered kiosks
    from qhall.app import create_app
    from qhall.seed import init_db, load_bureau

    app = create_app()
    with app.app_context():
        init_db(app.config["PAUSE_REASONS"])
        load_bureau()
    return app


def stub_core() -> None:
    """Make queue.issue_ticket answer at once with one canned ticket, writing nothing."""
    from qhall import queue
    from qhall.events import Outcome

    canned = {
        "number": "A001", "service": "A", "service_name": "婚姻登记",
        "service_name_en": "Marriage registration", "priority": None, "status": "waiting",
        "window": None, "counter_name": None, "issued_at": "2026-11-26T02:00:00Z",
        "called_at": None, "recalls": 0, "transfers": 0, "unit": UNIT,
        "unit_name": "市民政局政务服务大厅", "token": "t" * 22, "ahead": 3,
        "estimated_wait_s": 240, "time_limit_days": 0,
    }  # fmt: skip
    queue.issue_ticket = lambda *args, **kwargs: Outcome(dict(canned))


def ticket_requests(app):
    """Return a function that sends the n-th ticket request and returns its status line."""
    bodies = [json.dumps({"service": code}).encode() for code in SERVICES]
    # The request's WSGI environment, built once by the app itself (no web import here).
    with app.test_request_context(
        f"/api/units/{UNIT}/tickets",
        method="POST",
        content_type="application/json",
        data=bodies[0],
        headers={"X-Device-Token": DEMO_KIOSK_TOKEN, "Idempotency-Key": "bench-000000000000"},
    ) as context:
        template = dict(context.request.environ)
    statuses: list[str] = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    def send(n: int) -> str:
        body = bodies[n % len(bodies)]
        environ = dict(template)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["HTTP_IDEMPOTENCY_KEY"] = f"bench-{os.getpid()}-{n:012d}"
        result = app(environ, start_response)
        b"".join(result)
        if hasattr(result, "close"):
            result.close()
        return statuses.pop()

    return send


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=5000, help="per round")
    parser.add_argument("--stub-core", action="store_true", help="time the web layer only")
    args = parser.parse_args(argv)

    home = Path(tempfile.mkdtemp(prefix="qhall-bench-api-"))
    try:
        app = demo_app(home / "instance")
        if args.stub_core:
            stub_core()
        send = ticket_requests(app)
        first = send(0)
        assert first.startswith("201"), first
        for n in range(1, WARM_UP):
            send(n)
        cpu, wall = [], []
        n = WARM_UP
        for round_no in range(1, args.rounds + 1):
            t0, w0 = time.process_time(), time.perf_counter()
            for _ in range(args.requests):
                status = send(n)
                n += 1
                assert status.startswith("201"), status
            cpu.append((time.process_time() - t0) / args.requests * 1e6)
            wall.append((time.perf_counter() - w0) / args.requests * 1e6)
            print(
                f"round {round_no}: {args.requests} tickets  CPU {cpu[-1]:7.1f} µs/request"
                f"  wall {wall[-1]:7.1f}",
                flush=True,
            )
        print(
            f"{'web layer only, ' if args.stub_core else ''}"
            f"mean of {args.rounds} rounds: CPU {statistics.mean(cpu):7.1f} µs/request"
            f"  (best round {min(cpu):6.1f})  wall {statistics.mean(wall):7.1f}"
            f"  (load {os.getloadavg()[0]:.2f})"
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
