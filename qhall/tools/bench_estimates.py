"""How true the wait estimates are: `qhall bench estimates`.

A simulated hall replays generated days: visitors arrive over the opening hours as the
year's generator (qhall.tools.generate) spreads them, with its mix of priority visitors,
no-shows and one-second mis-pressed visits; the windows are the demo hall's (config/
demo.toml: some serve one service, some two, in their order), open late, pause now and
then and close for lunch in turns; visit lengths are drawn from a skewed (log-normal)
distribution whose mean is off the service's expected length by up to ±30 % a day. Each
window calls as qhall.queue.window_line does: priority first within the streak limit, then
its services in order, then the oldest place in line.

At every ticket issued both estimators (qhall.estimates) are asked, with the figures the
hall's database would give them then, and their answer is compared with the wait that
followed (issue to first call). Printed: the mean absolute error in minutes and the share
within ±5 minutes for each, over the tickets the new estimator gives a number for, and how
many were issued while no window served their service (where the old rule gave a number).
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import random
import time
from collections import deque
from dataclasses import dataclass, field

from qhall.estimates import (
    SERVICE_TIME_SAMPLE,
    HallNow,
    OpenWindow,
    estimate_wait,
    naive_wait_s,
)
from qhall.tools.generate import CLOSE_S, OPEN_S

# The demo hall (config/demo.toml): services with their expected lengths, and each
# window's services in the order it calls them.
SERVICES = {"A": 300, "B": 600, "C": 240, "D": 420}
WINDOWS = [["A"], ["A", "D"], ["B", "C"], ["C", "B"], ["D"]]
SHARE = {"A": 0.35, "B": 0.2, "C": 0.3, "D": 0.15}
PRIORITY_SHARE = 0.08
PRIORITY_STREAK_LIMIT = 2  # qhall.models.Unit.priority_streak_limit
NO_SHOW_SHARE, NO_SHOW_LOST_S = 0.05, 60
MISPRESS_SHARE = 0.03  # a visit started and finished by mistake within seconds
LUNCH = (12 * 3600, 13 * 3600 + 1800)
SKEW = 0.7  # sigma of the log-normal visit lengths


@dataclass
class Window:
    services: list[str]
    state: str = "closed"  # open, paused, closed
    busy_until: float | None = None
    streak: int = 0
    visit: str | None = None  # the service of the visit in hand, and when it started
    since: float = 0.0


@dataclass
class Waiting:
    number: int
    service: str
    priority: bool
    issued: float
    predicted: dict = field(default_factory=dict)


@dataclass
class Tally:
    cases: list = field(default_factory=list)  # (ticket, minutes it waited) once called
    no_window: int = 0


def simulate_day(rng: random.Random, tickets: int, tally: Tally) -> None:
    """Play one day of the hall, tallying every estimate against the wait that followed."""
    pace = {s: expected * rng.uniform(0.85, 1.3) for s, expected in SERVICES.items()}
    windows = [Window(list(services)) for services in WINDOWS]
    line: list[Waiting] = []
    visits = {s: deque(maxlen=SERVICE_TIME_SAMPLE) for s in SERVICES}
    clock: list[tuple[float, int, str, object]] = []
    order = 0

    def at(moment: float, kind: str, what: object) -> None:
        nonlocal order
        order += 1
        heapq.heappush(clock, (moment, order, kind, what))

    # Arrivals as qhall.tools.generate spreads them: over the hours, until 30 min before close.
    span = CLOSE_S - 1800 - OPEN_S
    for number, moment in enumerate(sorted(OPEN_S + rng.random() * span for _ in range(tickets))):
        service = rng.choices(list(SHARE), weights=list(SHARE.values()))[0]
        at(moment, "arrive", Waiting(number, service, rng.random() < PRIORITY_SHARE, moment))
    for index, window in enumerate(windows):
        at(OPEN_S + rng.uniform(0, 1800), "open", window)
        for _pause in range(rng.randint(0, 3)):
            start = rng.uniform(OPEN_S + 1800, CLOSE_S - 3600)
            at(start, "pause", window)
            at(start + rng.uniform(300, 1500), "open", window)
        if index % 2:  # half the windows go to lunch, in turns
            at(LUNCH[0] + rng.uniform(0, 1800), "close", window)
            at(LUNCH[1] + rng.uniform(0, 1800), "open", window)
        at(CLOSE_S, "close", window)

    def open_windows(service: str) -> int:
        return sum(1 for w in windows if w.state == "open" and service in w.services)

    def ahead_of(ticket: Waiting) -> int:
        # qhall.estimates.people_ahead: priority visitors are ahead of everyone ordinary.
        same = [t for t in line if t.service == ticket.service]
        if ticket.priority:
            return sum(1 for t in same if t.priority)
        return len(same)

    def call(window: Window, now: float) -> None:
        if window.state != "open" or window.busy_until is not None:
            return
        mine = [t for t in line if t.service in window.services]
        if not mine:
            return
        priority_first = window.streak < PRIORITY_STREAK_LIMIT

        def rank(t: Waiting):
            first = (0 if t.priority else 1) if priority_first else (1 if t.priority else 0)
            return first, window.services.index(t.service), t.issued, t.number

        ticket = min(mine, key=rank)
        line.remove(ticket)
        window.streak = window.streak + 1 if ticket.priority else 0
        tally.cases.append((ticket, (now - ticket.issued) / 60))
        roll = rng.random()
        if roll < NO_SHOW_SHARE:
            length = NO_SHOW_LOST_S
        elif roll < NO_SHOW_SHARE + MISPRESS_SHARE:
            length = rng.uniform(1, 5)
            visits[ticket.service].appendleft(int(length))
        else:
            mu = math.log(pace[ticket.service]) - SKEW**2 / 2  # mean = pace
            length = max(30.0, rng.lognormvariate(mu, SKEW))
            visits[ticket.service].appendleft(int(length))
        window.busy_until, window.visit, window.since = now + length, ticket.service, now
        at(window.busy_until, "free", window)

    while clock:
        now, _order, kind, what = heapq.heappop(clock)
        if now > CLOSE_S + 3600:
            break  # who is left is closed at the day's end: no wait to compare with
        if kind == "arrive":
            ticket = what
            ahead = ahead_of(ticket)
            count, recent = open_windows(ticket.service), list(visits[ticket.service])
            expected = SERVICES[ticket.service]
            # What qhall.estimates.hall_now would read from the database at this moment.
            hall = HallNow(
                windows=[
                    OpenWindow(
                        tuple(w.services),
                        busy=w.busy_until is not None,
                        in_hand=w.visit if w.busy_until is not None else None,
                        elapsed_s=now - w.since if w.busy_until is not None else None,
                        streak=w.streak,
                    )
                    for w in windows
                    if w.state == "open"
                ],
                waiting={s: sum(1 for t in line if t.service == s) for s in SERVICES},
                visits=visits,
                expected_s=SERVICES,
                priority={
                    s: sum(1 for t in line if t.service == s and t.priority) for s in SERVICES
                },
                streak_limit=PRIORITY_STREAK_LIMIT,
            )
            estimate = estimate_wait(hall, ticket.service, ahead, ticket.priority)
            ticket.predicted["naive"] = naive_wait_s(ahead, recent, expected, count)
            if estimate.state == "ok":
                ticket.predicted["new"] = estimate.wait_s
            else:
                tally.no_window += 1
            line.append(ticket)
        elif kind == "free":
            what.busy_until = None
        elif kind in ("open", "pause", "close"):
            what.state = {"open": "open", "pause": "paused", "close": "closed"}[kind]
            if kind == "close" and now >= CLOSE_S:
                what.state = "open"  # at closing the windows serve those still in line
                at(now + 3600, "stop", what)
        elif kind == "stop":
            what.state = "closed"
        for window in windows:
            call(window, now)


def figures(errors: list[float]) -> dict:
    """Return the mean absolute error in minutes and the share within ±5 minutes."""
    if not errors:
        return {"mae_min": None, "within_5_min": None}
    return {
        "mae_min": round(sum(errors) / len(errors), 2),
        "within_5_min": round(sum(1 for e in errors if e <= 5) / len(errors), 3),
    }


def run(days: int, tickets_per_day: int, seed: int) -> dict:
    """Play `days` days of the simulated hall and return both estimators' figures."""
    rng = random.Random(seed)
    tally = Tally()
    started = time.perf_counter()
    for _day in range(days):
        simulate_day(rng, tickets_per_day, tally)
    numbered = [(t, waited) for t, waited in tally.cases if "new" in t.predicted]
    unnumbered = [(t, waited) for t, waited in tally.cases if "new" not in t.predicted]

    def errors(cases, name):
        return [abs(t.predicted[name] / 60 - waited) for t, waited in cases]

    return {
        "days": days,
        "tickets_per_day": tickets_per_day,
        "seed": seed,
        "compared": len(numbered),
        "new": figures(errors(numbered, "new")),
        "naive": figures(errors(numbered, "naive")),
        "issued_with_no_window": tally.no_window,
        "naive_on_no_window": figures(errors(unnumbered, "naive")),
        "seconds": round(time.perf_counter() - started, 1),
    }


def table(report: dict) -> str:
    """Return the report as people read it."""

    def row(name: str, f: dict) -> str:
        within = "—" if f["within_5_min"] is None else f"{100 * f['within_5_min']:.1f} %"
        mae = "—" if f["mae_min"] is None else f"{f['mae_min']:.2f}"
        return f"  {name:<34}{mae:>10}{within:>14}"

    return "\n".join([
        f"模拟大厅 Simulated hall: {report['days']} days × {report['tickets_per_day']} tickets, "
        f"seed {report['seed']}; {report['compared']} estimates compared ({report['seconds']} s)",
        f"  {'估计方法 Estimator':<34}{'MAE min':>10}{'within ±5 min':>14}",
        row("new (replayed, trimmed, floored)", report["new"]),
        row("naive (mean / max(1, windows))", report["naive"]),
        f"  issued with no window open: {report['issued_with_no_window']} "
        f"(new: 暂无窗口办理; naive's MAE there: {report['naive_on_no_window']['mae_min']} min)",
    ])  # fmt: skip


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="qhall bench estimates", description=__doc__)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--tickets-per-day", type=int, default=200)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="3 days, for a smoke test")
    parser.add_argument("--json", dest="json_path", default=None)
    args = parser.parse_args(argv)
    report = run(3 if args.quick else args.days, args.tickets_per_day, args.seed)
    print(table(report))
    if args.json_path:
        with open(args.json_path, "w", encoding="utf-8") as out:
            json.dump(report, out, ensure_ascii=False, indent=2)
    return report


if __name__ == "__main__":
    main()
