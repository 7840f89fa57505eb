"""Many processes on one real SQLite file: every number issued once, every ticket called once.

Every process works at the test clock's frozen moment, not the wall clock's: the day the
numbers count in is the same at each issue however long the run takes, even across the
hall's midnight."""

from __future__ import annotations

import multiprocessing
import time
import traceback
from collections import Counter as Tally
from datetime import datetime

from qhall import queue, windows
from qhall.db import connect_database, db
from qhall.models import Ticket
from tests.factories import gen_staff, gen_unit

ISSUERS, TICKETS_EACH = 8, 250
CALLERS = 4


def issue_many(url: str, worker: int, now: datetime, failures) -> None:
    connect_database(url)
    try:
        for i in range(TICKETS_EACH):
            queue.issue_ticket("T", "AB"[(worker + i) % 2], now=now, source="kiosk")
    except Exception:
        failures.put(traceback.format_exc())


def call_until_empty(
    url: str, window: int, staff_id: int, now: datetime, issuing_done, called, failures
) -> None:
    connect_database(url)
    mine = []
    try:
        while True:
            # Read before calling: if issuing had ended by then, an empty answer is final.
            issuing_over = issuing_done.is_set()
            result = queue.call_next("T", window, staff_id=staff_id, now=now).result
            if result["ticket"] is not None:
                mine.append(result["ticket"]["number"])
            elif issuing_over:
                break
            else:
                time.sleep(0.01)  # an empty line: a person at the window would not press on at once
    except Exception:
        failures.put(traceback.format_exc())
    called.put(mine)


def test_eight_issuers_and_four_callers_share_one_database(app, clock, tmp_path):
    unit = gen_unit(
        counters={w: ["A", "B"] if w % 2 else ["B", "A"] for w in range(1, CALLERS + 1)}
    )
    staff = gen_staff(unit=unit)
    for window in range(1, CALLERS + 1):
        windows.open_counter("T", window, staff_id=staff.id, now=clock.now())
    url = app.config["DATABASE_URL"]
    db.close()

    spawn = multiprocessing.get_context("spawn")
    failures, called, issuing_done = spawn.Queue(), spawn.Queue(), spawn.Event()
    callers = [
        spawn.Process(
            target=call_until_empty,
            args=(url, w, staff.id, clock.now(), issuing_done, called, failures),
        )
        for w in range(1, CALLERS + 1)
    ]
    issuers = [
        spawn.Process(target=issue_many, args=(url, w, clock.now(), failures))
        for w in range(ISSUERS)
    ]
    for process in callers + issuers:
        process.start()
    for process in issuers:
        process.join(timeout=240)
    issuing_done.set()
    calls = [called.get(timeout=240) for _ in callers]
    for process in callers:
        process.join(timeout=30)

    errors = []
    while not failures.empty():
        errors.append(failures.get())
    assert errors == [], "\n".join(errors)

    connect_database(url)
    total = ISSUERS * TICKETS_EACH
    numbers = [t.number for t in Ticket.select(Ticket.number)]
    assert len(numbers) == total and len(set(numbers)) == total
    for letter in "AB":
        mine = sorted(int(n[1:]) for n in numbers if n[0] == letter)
        assert mine == list(range(1, total // 2 + 1)), f"{letter} numbers repeat or skip"

    every_call = [number for window_calls in calls for number in window_calls]
    repeated = [number for number, times in Tally(every_call).items() if times > 1]
    assert repeated == [], f"called twice: {repeated[:10]}"
    assert sorted(every_call) == sorted(numbers)
    assert all(len(window_calls) > 0 for window_calls in calls), "a window never got a ticket"
    assert Ticket.select().where(Ticket.status == "waiting").count() == 0
