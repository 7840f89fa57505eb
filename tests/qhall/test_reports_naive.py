"""The ledger's SQL against the same figures counted row by row in Python, on a small year
of generated data: every group and the total, by unit, service, window and staff."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from qhall.models import Case, Inquiry, Rating, Rectification, Ticket
from qhall.reports import ledger, percentile_rank
from qhall.scopes import make_scope
from qhall.tools.generate import generate_year

SETTINGS = {"TARGET_WAIT_S": 900, "UNITS": {}}
NOW = datetime(2026, 1, 15, 2, 0)
ZONE = ZoneInfo("Asia/Shanghai")


def utc(day: date) -> datetime:
    """Return a local midnight as a naive UTC moment."""
    return datetime.combine(day, time(), ZONE).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def p90(values: list[int]) -> int | None:
    """Return the nearest-rank 90th percentile, sorting every value."""
    return sorted(values)[percentile_rank(len(values)) - 1] if values else None


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def mean(values: list[int]) -> int | None:
    return round(sum(values) / len(values)) if values else None


def naive_ledger(start: date, end: date, by: str, unit_id: int | None) -> dict:
    """Return {group key: figures} and the series, counted ticket by ticket."""
    first, after = utc(start), utc(end + timedelta(days=1))
    tickets = [
        t
        for t in Ticket.select()
        if start <= t.day <= end and (unit_id is None or t.unit_id == unit_id)
    ]
    ticket_key = {"unit": "unit_id", "service": "service_id", "window": "counter_id",
                  "staff": "staff_id"}[by]  # fmt: skip
    groups: dict = defaultdict(lambda: defaultdict(list))
    monthly = (end - start).days + 1 > 62
    series: dict = defaultdict(lambda: defaultdict(list))
    for t in tickets:
        for figures in (groups[getattr(t, ticket_key)], groups["total"]):
            figures["tickets"].append(t)
        series[t.day.isoformat()[:7] if monthly else t.day.isoformat()]["tickets"].append(t)
    ratings = [
        r
        for r in Rating.select()
        if first <= r.at < after and (unit_id is None or r.unit_id == unit_id)
    ]
    for r in ratings:
        key = {"unit": r.unit_id, "service": Ticket.get_by_id(r.ticket_id).service_id,
               "window": r.counter_id, "staff": r.staff_id}[by]  # fmt: skip
        if not r.excluded:
            for figures in (groups[key], groups["total"]):
                figures["levels"].append(r.level)
    for rect in Rectification.select():
        if first <= rect.opened_at < after and (unit_id is None or rect.unit_id == unit_id):
            rating = Rating.get_by_id(rect.rating_id)
            key = {"unit": rect.unit_id, "service": Ticket.get_by_id(rating.ticket_id).service_id,
                   "window": rating.counter_id, "staff": rect.staff_id}[by]  # fmt: skip
            for figures in (groups[key], groups["total"]):
                figures["bad"].append(rect)
    for inquiry in Inquiry.select():
        if (
            inquiry.resolved_at is not None
            and first <= inquiry.resolved_at < after
            and (unit_id is None or inquiry.unit_id == unit_id)
        ):
            key = {"unit": inquiry.unit_id, "service": inquiry.service_id,
                   "staff": inquiry.owner_id}.get(by)  # fmt: skip
            targets = [groups["total"]] if by == "window" else [groups[key], groups["total"]]
            for figures in targets:
                figures["inquiries"].append(inquiry)
    today = (NOW + timedelta(hours=8)).date()
    for case in Case.select():
        if unit_id is not None and case.unit_id != unit_id:
            continue
        key = {"unit": case.unit_id, "service": case.service_id, "window": case.counter_id,
               "staff": case.staff_id}[by]  # fmt: skip
        done = case.completed_at is not None and first <= case.completed_at < after
        late_open = case.status == "open" and start <= case.due_day <= end and case.due_day < today
        if done or late_open:
            for figures in (groups[key], groups["total"]):
                figures["cases" if done else "open_overdue"].append(case)
    return {key: figures_of(f) for key, f in groups.items()}, {
        period: figures_of(p) for period, p in sorted(series.items())
    }


def late(t) -> bool:
    """Return whether a ticket never called waited past the 900 s target."""
    if t.wait_s is not None:
        return False
    if t.status == "closed":
        return True
    if t.status not in ("waiting", "cancelled"):
        return False
    seconds = round(((t.finished_at or NOW) - t.issued_at).total_seconds(), 3)
    return seconds >= 901


def figures_of(f: dict) -> dict:
    tickets = f["tickets"]
    waits = [t.wait_s for t in tickets if t.wait_s is not None]
    services = [t.service_s for t in tickets if t.service_s is not None]
    levels = f["levels"]
    bad = f["bad"]
    counted = [r for r in bad if r.status != "appeal_accepted"]
    cases = f["cases"]
    on_time = [c for c in cases if c.completed_at < utc(c.due_day + timedelta(days=1))]
    return {
        "issued": len(tickets),
        "served": sum(t.status == "finished" for t in tickets),
        "no_shows": sum(t.status == "no_show" for t in tickets),
        "cancelled": sum(t.status == "cancelled" for t in tickets),
        "transfers": sum(t.transfer_count for t in tickets),
        "called": len(waits),
        "wait_avg_s": mean(waits),
        "wait_p90_s": p90(waits),
        "service_avg_s": mean(services),
        "service_p90_s": p90(services),
        "service_level": rate(
            sum(w <= 900 for w in waits), len(waits) + sum(late(t) for t in tickets)
        ),
        "levels": {str(level): levels.count(level) for level in (5, 4, 3, 2, 1)},
        "bad_ratings": len(bad),
        "bad_appealed": len(bad) - len(counted),
        "inquiries_resolved": len(f["inquiries"]),
        "one_visit_rate": rate(sum(i.visits == 1 for i in f["inquiries"]), len(f["inquiries"])),
        "cases_completed": len(cases),
        "on_time_rate": rate(len(on_time), len(cases)),
        "cases_overdue": len(cases) - len(on_time) + len(f["open_overdue"]),
    }


@pytest.fixture
def year(app, clock):
    made = generate_year(tickets=3000, units=3, year=2025)
    # A few visitors never called who waited past the target: withdrawn late, still waiting.
    cancelled = list(Ticket.select().where(Ticket.status == "cancelled").order_by(Ticket.id))
    for ticket in cancelled[:3]:
        ticket.finished_at = ticket.issued_at + timedelta(seconds=901)
        ticket.save()
    for ticket in cancelled[3:5]:
        ticket.status, ticket.finished_at = "waiting", None
        ticket.save()
    return made


@pytest.mark.parametrize(
    ("unit_code", "start", "end", "by"),
    [
        (None, date(2025, 1, 1), date(2025, 12, 31), "unit"),
        (None, date(2025, 3, 1), date(2025, 3, 31), "unit"),
        ("G01", date(2025, 11, 1), date(2025, 11, 30), "service"),
        ("G01", date(2025, 1, 1), date(2025, 12, 31), "window"),
        ("G02", date(2025, 6, 1), date(2025, 6, 30), "staff"),
    ],
)
def test_the_ledger_agrees_with_counting_row_by_row(year, unit_code, start, end, by):
    scope = make_scope(unit_code, start, end)
    report = ledger(scope, by, settings=SETTINGS, now=NOW)
    groups, series = naive_ledger(start, end, by, scope.unit.id if scope.unit else None)
    expected_total = groups.pop("total")
    got = {row["key"]: {name: row[name] for name in expected_total} for row in report["rows"]}
    assert got == groups
    assert {name: report["total"][name] for name in expected_total} == expected_total
    assert report["series"] == [
        {"period": period, "issued": p["issued"], "served": p["served"],
         "no_shows": p["no_shows"], "wait_avg_s": p["wait_avg_s"]}
        for period, p in series.items()
    ]  # fmt: skip
