"""Event names: one list in qhall/events.py, every name a realistic day records is on it, no
module names an event by itself, and the README's "Live events" names them all. Events are
recorded in a unit of work and handed back once, after the commit."""

from __future__ import annotations

import ast
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from printer import jobs
from qhall import (
    cases,
    check_in,
    events,
    inquiries,
    queue,
    ratings,
    rectification,
    supervision,
    windows,
)
from qhall.db import unit_of_work
from qhall.devices import Tablet
from qhall.events import ALL_NAMES
from qhall.models import Event
from qhall.retention import erase_personal_data
from qhall.supervision_models import Notice
from tests.factories import gen_staff, gen_unit

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("qhall", "kiosk", "counter", "display", "admin", "printer", "config")
# "ticket.called", "case.extension_requested": a family, a dot, a happening.
LOOKS_LIKE_AN_EVENT = re.compile(r"^[a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z]+)*$")


def at_ten(day: date) -> datetime:
    """10:00 in Shanghai on day, as the naive UTC the clock keeps."""
    return datetime(day.year, day.month, day.day, 2, 0)


def a_busy_day(clock) -> list:
    """Drive the core through a day at hall T and the days after; return every outcome."""
    unit = gen_unit(services={"A": {}, "B": {"time_limit_days": 5}})
    clerk, boss = gen_staff("clerk", unit), gen_staff("boss", unit, role="manager")
    inspector = gen_staff("inspector", None, role="inspector")
    now, staff = clock.now, {"staff_id": clerk.id}
    done = []

    def run(outcome):
        done.append(outcome)
        return outcome.result

    # The queue: issue, call, recall, start, transfer, finish, no-show, requeue, cancel.
    for window in (1, 2):
        run(windows.open_counter("T", window, **staff, now=now()))
    visitor = run(queue.issue_ticket("T", "A", now=now()))
    missed = run(queue.issue_ticket("T", "A", now=now()))
    leaving = run(queue.issue_ticket("T", "A", now=now()))
    run(queue.issue_ticket("T", "B", now=now()))
    run(queue.call_next("T", 1, **staff, now=now()))
    run(queue.recall("T", 1, **staff, now=now()))
    run(queue.start("T", 1, **staff, now=now()))
    run(queue.transfer("T", 1, to_window=2, **staff, now=now()))
    run(queue.call_next("T", 2, **staff, now=now()))
    run(queue.finish("T", 2, **staff, now=clock.advance(minutes=4)))
    run(queue.call_number("T", 1, missed["number"], **staff, now=now()))
    run(queue.mark_no_show("T", 1, **staff, now=now()))
    run(queue.requeue_no_show("T", missed["number"], **staff, now=now()))
    run(queue.cancel(leaving["token"], now=now()))
    arriving = run(queue.issue_ticket("T", "A", source="mobile", now=now()))  # from a phone
    run(check_in.check_in_at_kiosk("T", token=arriving["token"], now=now()))
    run(windows.pause_counter("T", 2, "break", **staff, now=now()))
    run(windows.resume_counter("T", 2, **staff, now=now()))
    run(windows.close_counter("T", 1, **staff, now=now()))

    # A bad rating, its rectification, and an inspector's visit and notice.
    tablet = Tablet(name="t-2", unit="T", window=2, token="tablet-T2-secret-000002")
    rated = run(ratings.rate_at_window(tablet, visitor["number"], level=2, efficiency=2,
                                       competence=3, attitude=3, reasons=["long_wait"],
                                       now=now(), rating_window_s=1800, rectification_days=5))  # fmt: skip
    run(rectification.advance_rectification("T", rated["rectification"], "rectify",
                                            note="已改进", **staff, now=now()))  # fmt: skip
    run(supervision.record_inspection("T", inspector_id=inspector.id, kind="unannounced",
                                      visited_on=date(2026, 11, 26), now=now()))  # fmt: skip
    notice = run(supervision.publish_notice("T", publisher_id=inspector.id, title="通报",
                                            body="请整改。", deadline=date(2026, 12, 3), now=now()))  # fmt: skip
    run(supervision.respond_notice(notice["id"], staff_id=boss.id, response="已整改", now=now()))
    run(supervision.close_notice(notice["id"], staff_id=inspector.id, accept=True, note="",
                                 now=now()))  # fmt: skip

    # A first inquiry from registration to its outcome, with a visitor's name to erase later.
    matter = run(inquiries.register_inquiry("T", matter="咨询低保", visitor_name="张小三",
                                            **staff, now=now()))  # fmt: skip
    run(inquiries.refer_inquiry("T", matter["id"], to_window=2, **staff, now=now()))
    run(inquiries.record_visit("T", matter["id"], **staff, now=now()))
    run(inquiries.resolve_inquiry("T", matter["id"], outcome="已答复", **staff, now=now()))

    # A promised case through 补正, a refused and a granted extension, its parallel task.
    case = run(cases.accept_case("T", "B", matter="申请低保", tasks=["民政局"], **staff,
                                 now=now()))["case"]  # fmt: skip
    number, task = case["number"], case["tasks"][0]["id"]
    run(cases.suspend_case("T", number, missing=[{"name": "收入证明", "quantity": 1}], **staff,
                           now=now()))  # fmt: skip
    run(cases.resume_case("T", number, **staff, now=now()))
    for approve in (False, True):
        run(cases.request_extension("T", number, days=2, reason="需核查", **staff, now=now()))
        run(cases.decide_extension("T", number, staff_id=boss.id, approve=approve, now=now()))
    run(cases.finish_task("T", number, task, **staff, now=now()))
    run(cases.decide_case("T", number, decision="granted", **staff, now=now()))
    run(cases.accept_case("T", "B", matter="申请临时救助", **staff, now=now()))  # due 3 December

    # The printer runs out of paper and a job fails.
    run(jobs.set_status("t-kiosk", "T", "paper_out", now()))
    job = jobs.add_job("t-kiosk", b"png", kind="ticket", ref="A004", unit_code="T", now=now())
    run(jobs.mark_failed(job, "no paper", now(), now() + timedelta(seconds=1)))

    # The routine: the day closed after midnight, deadlines near and past, data erased.
    run(queue.close_past_days("T", now=clock.advance(hours=14)))
    clock.at = at_ten(date(2026, 12, 2))
    run(cases.check_deadlines("T", now=now(), warn_days=2))
    clock.at = at_ten(date(2026, 12, 4))
    run(cases.check_deadlines("T", now=now(), warn_days=2))
    run(rectification.check_overdue("T", now=now()))
    run(erase_personal_data(now=now(), keep_days=1))
    return done


def test_every_event_a_busy_day_records_is_in_the_one_list(app, clock):
    outcomes = a_busy_day(clock)
    recorded = [row.name for row in Event.select().order_by(Event.seq)]
    assert set(recorded) <= set(ALL_NAMES)
    assert set(ALL_NAMES) - set(recorded) == set()  # the list holds no name nothing records
    # Each row was handed back once, in order, for publishing after its commit.
    assert [e["name"] for outcome in outcomes for e in outcome.events] == recorded
    assert len(ALL_NAMES) == len(set(ALL_NAMES))


def test_every_event_name_constant_is_in_the_list():
    tree = ast.parse((ROOT / "qhall/events.py").read_text(encoding="utf-8"))
    constants = {
        node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and LOOKS_LIKE_AN_EVENT.match(str(node.value.value))
    }
    # The alert goes straight to the staff pages, and the public rooms' stand-in for a
    # staff-only event is no event of its own: neither goes through the event table.
    assert constants - {events.SYSTEM_ALERT, events.EVENT_WITHHELD} == set(ALL_NAMES)


def test_no_module_but_events_names_an_event():
    strays = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ROOT / "qhall/events.py":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                # NAME = "word.word", or a literal name handed to record() or emit().
                if isinstance(node, ast.Assign | ast.AnnAssign):
                    values = [node.value]
                elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("record", "emit"):  # fmt: skip
                    values = node.args[:2]
                else:
                    continue
                strays += [
                    f"{path.relative_to(ROOT)}:{node.lineno} {value.value}"
                    for value in values
                    if isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                    and LOOKS_LIKE_AN_EVENT.match(value.value)
                ]
    assert strays == []


def test_the_readme_lists_every_event():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Live events", 1)[1].split("\n#", 1)[0]
    assert [name for name in ALL_NAMES if f"`{name}`" not in section] == []


def test_an_event_outside_a_unit_of_work_is_refused(app, clock):
    unit = gen_unit()
    with pytest.raises(RuntimeError, match="unit_of_work"):
        events.record(unit, events.DAY_CLOSED, clock.now(), closed=0)
    assert Event.select().count() == 0


def test_a_unit_of_work_inside_another_joins_it(app, clock):
    gen_unit()
    with unit_of_work() as outer:
        first = queue.issue_ticket("T", "A", now=clock.now())
        second = queue.issue_ticket("T", "A", now=clock.now())
        outer.finish(None)
    # The events wait for the outer commit and go out with its outcome, once.
    assert first.events == second.events == []
    assert [e["name"] for e in outer.outcome.events] == [events.TICKET_ISSUED] * 2


def test_a_repeated_key_changes_nothing_and_answers_the_first_result(app, clock):
    unit = gen_unit()
    inspector = gen_staff("inspector", None, role="inspector")
    fields = {"publisher_id": inspector.id, "title": "通报", "body": "请整改。"}
    first = supervision.publish_notice("T", **fields, deadline=date(2026, 12, 3), now=clock.now(),
                                       request_key="key-12345")  # fmt: skip
    again = supervision.publish_notice("T", **fields, deadline=date(2026, 12, 3), now=clock.now(),
                                       request_key="key-12345")  # fmt: skip
    assert (again.result, again.replayed) == (first.result, True)
    assert Notice.select().where(Notice.unit == unit.id).count() == 1
