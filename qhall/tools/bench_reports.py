#!/usr/bin/env python
"""Time the ledger on a year of a city's data: a month for one unit, the year for the bureau.

    .venv/bin/python -m qhall.tools.bench_reports [--tickets 1000000] [--runs 7] [--keep DIR]

Generates the data (qhall.tools.generate) into a fresh SQLite database in a temporary folder
(or DIR, reused if it already holds the data), then runs each report several times and
prints the generation time and each report's best and median time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import date, datetime
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="folder for the database, kept afterwards")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="qhall-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["QHALL_INSTANCE"] = str(folder)

    from qhall.app import create_app
    from qhall.models import Ticket
    from qhall.reports import ledger
    from qhall.scopes import make_scope, month_bounds
    from qhall.seed import init_db
    from qhall.tools.generate import generate_year

    app = create_app()
    init_db(app.config["PAUSE_REASONS"])
    have = Ticket.select().count()
    if have < args.tickets:
        started = time.perf_counter()
        made = generate_year(tickets=args.tickets - have)
        print(f"generated {made.tickets:,} tickets, {made.ratings:,} ratings, "
              f"{made.cases:,} cases, {made.inquiries:,} inquiries "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
    print(f"database: {app.config['DATABASE_URL']} ({Ticket.select().count():,} tickets)")

    settings = app.config["SERVICE_LEVEL"]
    now = datetime(2026, 1, 15, 2, 0)
    start, end = month_bounds("2025-11")
    cases = [
        ("month, one unit (G01, 2025-11, by service)", make_scope("G01", start, end), "service"),
        ("month, one unit (G01, 2025-11, by window)", make_scope("G01", start, end), "window"),
        ("year, bureau (2025, by unit)", make_scope(None, date(2025, 1, 1), date(2025, 12, 31)), "unit"),
    ]  # fmt: skip
    for label, scope, by in cases:
        times = []
        for _ in range(args.runs):
            began = time.perf_counter()
            report = ledger(scope, by, settings=settings, now=now)
            times.append(time.perf_counter() - began)
        print(f"{label}: best {min(times) * 1000:.0f} ms, median "
              f"{statistics.median(times) * 1000:.0f} ms over {args.runs} runs "
              f"({report['total']['issued']:,} tickets)")  # fmt: skip


if __name__ == "__main__":
    main()
