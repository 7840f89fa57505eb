"""A year of a city's hall data, generated: units, services, windows, staff, and tickets with
their ratings, rectifications, first inquiries and promised cases. For reports at scale
(the benchmark and the tests), not for a demo: the rows go in with executemany in large
batches, and times are built from precomputed strings, so a million tickets take seconds.

Each run adds new units (codes Gnn after the highest there) and their data; it never
touches existing rows. The data is random but repeatable for a given seed.
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from qhall.auth import hash_password
from qhall.db import db, is_sqlite, unit_of_work
from qhall.models import (
    Case,
    Counter,
    CounterService,
    Inquiry,
    Rating,
    Rectification,
    Service,
    Staff,
    Ticket,
    Unit,
)
from qhall.workdays import official_calendar

# The bureau's units (MISSION.md), named in turn; more units repeat the list.
UNIT_NAMES = [
    ("退役军人移交安置站", "Veterans' transfer station"),
    ("军供站", "Military supply station"),
    ("救助管理站", "Relief station"),
    ("康复中心", "Rehabilitation centre"),
    ("烈士陵园", "Martyrs' cemetery"),
    ("公墓管理处", "Public cemetery"),
    ("殡仪馆", "Funeral home"),
    ("老龄工作办公室", "Office for the aged"),
    ("退役军人休养所", "Veterans' retirement centre"),
    ("福利彩票发行中心", "Welfare-lottery centre"),
]
SERVICES = [("A", "综合受理", "General intake", 0), ("B", "待遇申请", "Benefit claims", 10),
            ("C", "证明开具", "Certificates", 0), ("D", "咨询代办", "Consultation", 0)]  # fmt: skip
WINDOWS_PER_UNIT = 6
BATCH = 20_000
# Local opening hours in seconds after midnight, and the zone's offset (Asia/Shanghai).
OPEN_S, CLOSE_S, UTC_OFFSET_S = 8 * 3600 + 1800, 17 * 3600 + 1800, 8 * 3600
_HMS = [f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}" for s in range(86400)]


@dataclass
class Generated:
    """What a run added."""

    units: list[str]
    tickets: int
    ratings: int
    cases: int
    inquiries: int


def generate_year(
    *,
    tickets: int = 1_000_000,
    units: int = 10,
    year: int = 2025,
    seed: int = 6,
    password: str = "qhall-demo",
) -> Generated:
    """Add `units` halls and `tickets` tickets spread over the working days of `year`."""
    rng = random.Random(seed)
    calendar = official_calendar()
    days = [
        date(year, 1, 1) + timedelta(n)
        for n in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)
        if calendar.is_workday(date(year, 1, 1) + timedelta(n))
    ]
    halls = _make_units(units, hash_password(password))
    ids = _next_ids()
    counts = dict.fromkeys(_INSERTS, 0)
    rows: dict[str, list[tuple]] = {name: [] for name in _INSERTS}
    per_day = tickets / (len(halls) * len(days))
    with _indexes_built_after():
        _generate(rng, days, halls, per_day, ids, rows, counts, calendar)
    return Generated([h["code"] for h in halls], counts["tickets"], counts["ratings"],
                     counts["cases"], counts["inquiries"])  # fmt: skip


def _generate(rng, days, halls, per_day, ids, rows, counts, calendar) -> None:
    made = 0
    for index, day in enumerate(days):
        for hall_index, hall in enumerate(halls):
            # Spread the remainder so that the total is exact.
            due = round(per_day * (index * len(halls) + hall_index + 1)) - made
            made += due
            _day_of_hall(rng, hall, day, due, ids, rows, calendar)
        if sum(len(r) for r in rows.values()) >= BATCH or index == len(days) - 1:
            with _bulk_load():
                for name, batch in rows.items():
                    counts[name] += len(batch)
                    _insert(name, batch)
                    batch.clear()


def _next_ids() -> dict[str, int]:
    def after(model) -> int:
        return (model.select(model.id).order_by(model.id.desc()).scalar() or 0) + 1

    return {"ticket": after(Ticket), "rating": after(Rating), "case": after(Case)}


def _make_units(count: int, password_hash: str) -> list[dict]:
    """Create the halls with their services, windows (one staff member each) and manager."""
    taken = {code for (code,) in Unit.select(Unit.code).tuples()}
    halls = []
    with unit_of_work():
        number = 0
        while len(halls) < count:
            number += 1
            code = f"G{number:02d}"
            if code in taken:
                continue
            zh, en = UNIT_NAMES[(number - 1) % len(UNIT_NAMES)]
            unit = Unit.create(code=code, name_zh=f"{zh}{code}", name_en=f"{en} {code}")
            services = [
                Service.create(
                    unit=unit, code=letter, name_zh=name_zh, name_en=name_en, time_limit_days=limit
                )  # fmt: skip
                for letter, name_zh, name_en, limit in SERVICES
            ]
            counters = []
            for window in range(1, WINDOWS_PER_UNIT + 1):
                staff = Staff.create(login=f"{code.lower()}-{window}", name=f"{code}员工{window}",
                                     employee_no=f"{code}{window:03d}", unit=unit,
                                     password_hash=password_hash)  # fmt: skip
                counter = Counter.create(unit=unit, window=window, name_zh=f"{window}号窗口",
                                         name_en=f"Window {window}")  # fmt: skip
                first = (window - 1) % len(services)  # each window leads with its own service
                for position, service in enumerate(services[first:] + services[:first]):
                    CounterService.create(counter=counter, service=service, position=position)
                counters.append((counter.id, staff.id))
            Staff.create(login=f"{code.lower()}-manager", name=f"{code}负责人", role="manager",
                         unit=unit, password_hash=password_hash)  # fmt: skip
            halls.append({"code": code, "id": unit.id, "counters": counters,
                          "services": [(s.id, s.code, s.time_limit_days) for s in services]})  # fmt: skip
    return halls


def _moment(day: str, local_s: int) -> str:
    """Return the stored (UTC) moment of a local time of day, as the database keeps it."""
    return f"{day} {_HMS[local_s - UTC_OFFSET_S]}"


def _day_of_hall(rng, hall, day: date, count: int, ids, rows, calendar) -> None:
    day_s = day.isoformat()
    numbers = dict.fromkeys((code for _id, code, _limit in hall["services"]), 0)
    span, random_ = CLOSE_S - 1800 - OPEN_S, rng.random  # random() is the cheapest draw
    services, counters = hall["services"], hall["counters"]
    for issued in sorted(OPEN_S + int(random_() * span) for _ in range(count)):
        service_id, code, limit = services[int(random_() * len(services))]
        counter_id, staff_id = counters[int(random_() * len(counters))]
        numbers[code] += 1
        ticket_id = ids["ticket"]
        ids["ticket"] += 1
        roll = random_()
        wait = min(int(rng.expovariate(1 / 540)), 3 * 3600)
        length = 30 + min(int(rng.expovariate(1 / 400)), 2 * 3600)
        called = issued + wait
        status, no_show_at, first_called, started, finished = "finished", None, called, called, None
        wait_s, service_s, closed_reason = wait, None, None
        if roll < 0.05:
            status, no_show_at, started = "no_show", _moment(day_s, called + 60), None
        elif roll < 0.07:
            status, first_called, started, wait_s = "cancelled", None, None, None
            finished, closed_reason = _moment(day_s, issued + 300), "cancelled"
        elif roll < 0.09:
            status, first_called, started, wait_s = "closed", None, None, None
            finished, closed_reason = _moment(day_s, 86399 - 60), "day_ended"
        else:
            finished, service_s = _moment(day_s, called + length), length
        rows["tickets"].append((
            ticket_id, hall["id"], service_id, day_s, f"{code}{numbers[code]:03d}", None, "kiosk",
            status, f"g{ticket_id}", _moment(day_s, issued), _moment(day_s, issued),
            first_called and _moment(day_s, first_called), first_called and _moment(day_s, first_called),
            started and _moment(day_s, started), finished, no_show_at,
            counter_id if first_called else None, staff_id if first_called else None,
            0, 1 if roll > 0.96 else 0, False, wait_s, service_s, closed_reason,
            _moment(day_s, issued),  # checked_in_at: a kiosk's ticket is in the hall at issue
        ))  # fmt: skip
        if status == "finished":
            _after_visit(rng, hall, day, ticket_id, service_id, limit, counter_id, staff_id,
                         called + length, ids, rows, calendar)  # fmt: skip


LEVELS = [5] * 70 + [4] * 20 + [3] * 6 + [2] * 3 + [1]


def _after_visit(rng, hall, day, ticket_id, service_id, limit, counter_id, staff_id, end_s,
                 ids, rows, calendar) -> None:  # fmt: skip
    """A finished visit may be rated, may have been a first inquiry, may start a case."""
    day_s = day.isoformat()
    if rng.random() < 0.4:
        rating_id = ids["rating"]
        ids["rating"] += 1
        level = rng.choice(LEVELS)
        at = _moment(day_s, end_s + 30)
        bad = level <= 2  # a bad rating names a reason of the question set ([RATING])
        rows["ratings"].append((rating_id, ticket_id, hall["id"], counter_id, staff_id, level,
                                "等候时间太长" if bad else "", '["long_wait"]' if bad else "[]",
                                "tablet", at, False))  # fmt: skip
        if level <= 2:
            closed = rng.random() < 0.85
            due = calendar.add_workdays(day, 5).isoformat()
            rows["rectifications"].append((rating_id, hall["id"], staff_id,
                                           "closed" if closed else "open", at, due,
                                           at if closed else None))  # fmt: skip
    if rng.random() < 0.1:
        visits = 1 if rng.random() < 0.9 else 2
        rows["inquiries"].append((hall["id"], staff_id, ticket_id, service_id, "咨询事项",
                                  "resolved", visits, _moment(day_s, end_s - 60),
                                  _moment(day_s, end_s)))  # fmt: skip
    if limit and rng.random() < 0.3:
        case_id = ids["case"]
        ids["case"] += 1
        due = calendar.add_workdays(day, limit)
        late = rng.random() < 0.05
        done = calendar.add_workdays(day, limit + 2 if late else rng.randint(1, limit))
        rows["cases"].append((case_id, f"{hall['code']}-{day:%Y%m%d}-{case_id}", hall["id"],
                              service_id, ticket_id, counter_id, staff_id, "承诺办理事项",
                              "completed", _moment(day_s, end_s), day_s, limit, due.isoformat(),
                              _moment(done.isoformat(), OPEN_S + 3600)))  # fmt: skip


_INSERTS = {
    "tickets": (Ticket, "id unit_id service_id day number priority source status token issued_at "
                "queue_at first_called_at called_at started_at finished_at no_show_at counter_id "
                "staff_id recall_count transfer_count requeued wait_s service_s closed_reason "
                "checked_in_at"),
    "ratings": (Rating, "id ticket_id unit_id counter_id staff_id level reason reasons source at "
                "excluded"),
    "rectifications": (Rectification, "rating_id unit_id staff_id status opened_at due_day closed_at"),
    "inquiries": (Inquiry, "unit_id owner_id ticket_id service_id matter status visits created_at "
                  "resolved_at"),
    "cases": (Case, "id number unit_id service_id ticket_id counter_id staff_id matter status "
              "accepted_at accepted_day time_limit_days due_day completed_at"),
}  # fmt: skip
# Columns whose model default lives in Python (peewee), so a raw insert must give them.
_DEFAULTS = {
    Rating: {"device": "", "question_set": "", "callback_phone": ""},
    Rectification: {"verify_note": "", "rectify_note": "", "callback_note": "", "appeal_reason": "",
                    "callback_answer": "", "close_note": "", "appeal_decision": "",
                    "appeal_note": ""},
    Inquiry: {"visitor_name": "", "visitor_phone": "", "organisation": "", "materials": "[]",
              "outcome": ""},
    Case: {"visitor_name": "", "visitor_phone": "", "materials": "[]", "extended_days": 0,
           "missing_materials": "[]", "result": "", "decision": "granted"},
}  # fmt: skip


def _insert(name: str, batch: list[tuple]) -> None:
    """Insert rows with one executemany in one transaction."""
    if not batch:
        return
    model, columns = _INSERTS[name]
    columns = columns.split()
    extra = _DEFAULTS.get(model, {})
    names = [*columns, *extra]
    sql = 'INSERT INTO "{}" ({}) VALUES ({})'.format(
        model._meta.table_name,
        ", ".join(f'"{c}"' for c in names),
        ", ".join([db.obj.param] * len(names)),
    )
    tail = tuple(extra.values())
    with unit_of_work():
        db.cursor().executemany(sql, [row + tail for row in batch] if tail else batch)


@contextmanager
def _indexes_built_after():
    """On SQLite, drop the loaded tables' plain indexes and build them again at the end:
    sorting a million rows once is several times faster than keeping each index in order
    row by row. Unique indexes stay, so a duplicate still fails at once."""
    if not is_sqlite():
        yield
        return
    tables = [model._meta.table_name for model, _columns in _INSERTS.values()]
    marks = ", ".join(db.obj.param for _ in tables)
    indexes = db.execute_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN ({marks})",
        tables,
    ).fetchall()
    with unit_of_work():
        for name, _sql in indexes:
            db.execute_sql(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with unit_of_work():
            for _name, sql in indexes:
                db.execute_sql(sql)


@contextmanager
def _bulk_load():
    """Skip SQLite's foreign-key checks while loading: every id written was made here."""
    sqlite = is_sqlite()
    if sqlite:
        db.execute_sql("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        if sqlite:
            db.execute_sql("PRAGMA foreign_keys = ON")
