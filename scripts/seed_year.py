#!/usr/bin/env python
"""Generate a year of a city's hall data into a qhall database, for reports at scale.

    .venv/bin/python scripts/seed_year.py [--tickets 1000000] [--units 10] [--year 2025]

The database is the instance's (QHALL_INSTANCE, QHALL_DATABASE_URL), as for `qhall serve`.
"""

from __future__ import annotations

import argparse
import time

from qhall.app import create_app
from qhall.seed import init_db
from qhall.tools.generate import generate_year


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=10)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    app = create_app()
    init_db(app.config["PAUSE_REASONS"])
    started = time.perf_counter()
    made = generate_year(tickets=args.tickets, units=args.units, year=args.year)
    print(
        f"{made.tickets:,} tickets, {made.ratings:,} ratings, {made.cases:,} cases, "
        f"{made.inquiries:,} inquiries in units {', '.join(made.units)} "
        f"({time.perf_counter() - started:.1f} s)"
    )


if __name__ == "__main__":
    main()
