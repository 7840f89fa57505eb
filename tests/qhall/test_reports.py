"""The ledger's figures against a small day worked out by hand, the percentile rule, scopes,
and the generator that feeds the benchmark."""

from __future__ import annotations

from datetime import date

import pytest

from qhall import cases, inquiries, queue, ratings, windows
from qhall.errors import BadInput
from qhall.ledger_table import ledger_table
from qhall.models import Ticket
from qhall.reports import ledger, percentile_rank
from qhall.scopes import make_scope, month_bounds
from qhall.tools.generate import generate_year
from tests.factories import gen_staff, gen_unit

SETTINGS = {"TARGET_WAIT_S": 900, "UNITS": {}}
DAY = date(2026, 11, 26)


def test_the_percentile_rank_is_the_nearest_rank():
    assert [percentile_rank(n) for n in (1, 2, 4, 9, 10, 11, 20)] == [1, 2, 4, 9, 9, 10, 18]


@pytest.fixture
def worked_day(app, clock):
    """A morning worked out by hand (the clock starts at 10:00 local):

    A001, A002, A003 and B001 are issued at once. Window 1 calls A001 after 60 s and
    finishes it after 300 s; calls A002 (waited 360 s), who does not come; calls A003 after
    1000 s and finishes after 100 s. Window 2 calls B001 after 1000 s and finishes after
    600 s. A001 is rated 5, A003 4, B001 2 (a bad rating, opening a rectification)."""
    unit = gen_unit("T", services={"A": {}, "B": {"time_limit_days": 3}})
    one, two = gen_staff("one", unit), gen_staff("two", unit)
    start = clock.at
    tokens = {}
    for letter in "AAAB":
        result = queue.issue_ticket("T", letter, now=clock.now()).result
        tokens[result["number"]] = result["token"]

    def at(seconds):
        from datetime import timedelta

        clock.at = start + timedelta(seconds=seconds)
        return clock.at

    windows.open_counter("T", 1, staff_id=one.id, now=at(0))
    windows.open_counter("T", 2, staff_id=two.id, now=at(0))
    assert queue.call_next("T", 1, staff_id=one.id, now=at(60)).result["ticket"]["number"] == "A001"
    queue.finish("T", 1, staff_id=one.id, now=at(360))
    assert (
        queue.call_next("T", 1, staff_id=one.id, now=at(360)).result["ticket"]["number"] == "A002"
    )
    queue.mark_no_show("T", 1, staff_id=one.id, now=at(400))
    # Window 2 serves B first: B001; window 1 then takes A003.
    assert (
        queue.call_next("T", 2, staff_id=two.id, now=at(1000)).result["ticket"]["number"] == "B001"
    )
    assert (
        queue.call_next("T", 1, staff_id=one.id, now=at(1000)).result["ticket"]["number"] == "A003"
    )
    queue.finish("T", 1, staff_id=one.id, now=at(1100))
    queue.finish("T", 2, staff_id=two.id, now=at(1600))
    for number, level in (("A001", 5), ("A003", 4), ("B001", 2)):
        ratings.rate_by_token(tokens[number], level=level, reasons=["long_wait"] if level < 3 else [],
                              now=at(1700), rectification_days=5)  # fmt: skip
    return {"unit": unit, "one": one, "two": two, "tokens": tokens}


def test_a_worked_day_gives_the_figures_worked_out_by_hand(worked_day, clock):
    report = ledger(make_scope("T", DAY, DAY), "service", settings=SETTINGS, now=clock.now())
    total = report["total"]
    assert (total["issued"], total["served"], total["no_shows"]) == (4, 3, 1)
    # Waits 60, 360, 1000, 1000: mean 605; the 4th of 4 values is the 90th percentile.
    assert (total["called"], total["wait_avg_s"], total["wait_p90_s"]) == (4, 605, 1000)
    # Service 300, 100, 600: mean 333; the 3rd of 3.
    assert (total["service_avg_s"], total["service_p90_s"]) == (333, 600)
    # Called within 900 s: A001 and A002, of four called.
    assert total["service_level"] == 0.5
    assert total["levels"] == {"5": 1, "4": 1, "3": 0, "2": 1, "1": 0}
    assert total["satisfaction"] == round(2 / 3, 4)
    assert (total["bad_ratings"], total["bad_in_progress"], total["bad_rectified"]) == (1, 1, 0)

    by_service = {row["label_en"]: row for row in report["rows"]}
    a, b = by_service["T A Service A"], by_service["T B Service B"]
    assert (a["issued"], a["served"], a["no_shows"]) == (3, 2, 1)
    assert (a["wait_avg_s"], a["wait_p90_s"], a["service_avg_s"], a["service_p90_s"]) == (
        473,
        1000,
        200,
        300,
    )
    assert a["service_level"] == round(2 / 3, 4)
    assert (b["issued"], b["wait_p90_s"], b["service_level"], b["satisfaction"]) == (
        1,
        1000,
        0.0,
        0.0,
    )


def test_the_ledger_groups_by_window_and_staff(worked_day, clock):
    scope = make_scope("T", DAY, DAY)
    windows = ledger(scope, "window", settings=SETTINGS, now=clock.now())["rows"]
    assert [(w["label_en"], w["served"], w["no_shows"]) for w in windows] == [
        ("T window 1 Window 1", 2, 1),
        ("T window 2 Window 2", 1, 0),
    ]
    one = make_scope("T", DAY, DAY, staff_login="one")
    mine = ledger(one, "staff", settings=SETTINGS, now=clock.now())
    assert mine["total"]["served"] == 2
    assert mine["total"]["levels"]["5"] == 1 and mine["total"]["levels"]["2"] == 0


def test_one_visit_and_on_time_rates(worked_day, clock):
    one = worked_day["one"]
    first = inquiries.register_inquiry(
        "T", staff_id=one.id, matter="咨询低保", now=clock.now()
    ).result
    second = inquiries.register_inquiry(
        "T", staff_id=one.id, matter="咨询高龄津贴", now=clock.now()
    ).result
    inquiries.record_visit("T", second["id"], staff_id=one.id, now=clock.now())
    for inquiry in (first, second):
        inquiries.resolve_inquiry(
            "T", inquiry["id"], staff_id=one.id, outcome="已答复", now=clock.now()
        )
    # B promises 3 working days: accepted Thursday 26 Nov, due Tuesday 1 Dec.
    numbers = [
        cases.accept_case("T", "B", staff_id=one.id, matter=f"申请{n}", now=clock.now()).result[
            "case"
        ]["number"]
        for n in range(3)
    ]
    clock.advance(days=4)  # Monday 30 Nov: on time
    cases.complete_case("T", numbers[0], staff_id=one.id, result="已办结", now=clock.now())
    clock.advance(days=2)  # Wednesday 2 Dec: a day late
    cases.complete_case("T", numbers[1], staff_id=one.id, result="已办结", now=clock.now())
    report = ledger(
        make_scope("T", DAY, date(2026, 12, 2)), "service", settings=SETTINGS, now=clock.now()
    )
    total = report["total"]
    # A case is a matter too: completing it resolves its own first inquiry, in one visit.
    assert (total["inquiries_resolved"], total["one_visit_rate"]) == (4, 0.75)
    assert (total["cases_completed"], total["on_time_rate"]) == (2, 0.5)
    assert total["cases_overdue"] == 2  # one completed late, one still open past its day


def test_a_visitor_never_called_counts_against_the_service_level(app, clock):
    gen_unit("T")
    queue.issue_ticket("T", "A", now=clock.now())
    clock.advance(days=1)
    queue.close_past_days("T", now=clock.now())
    total = ledger(make_scope("T", DAY, DAY), "unit", settings=SETTINGS, now=clock.now())["total"]
    assert (total["issued"], total["called"], total["service_level"]) == (1, 0, 0.0)


def test_a_visitor_waiting_past_the_target_counts_against_the_service_level_now(app, clock):
    clerk = gen_staff("clerk", gen_unit("T"))
    for _ in range(2):
        queue.issue_ticket("T", "A", now=clock.now())  # A001, A002 at 10:00
    windows.open_counter("T", 1, staff_id=clerk.id, now=clock.now())
    queue.call_next("T", 1, staff_id=clerk.id, now=clock.advance(minutes=1))  # A001 waited 60 s

    def service_level():
        scope = make_scope("T", DAY, DAY)
        return ledger(scope, "unit", settings=SETTINGS, now=clock.now())["total"]["service_level"]

    clock.advance(minutes=14)  # 10:15: A002 has waited exactly the 900 s target
    assert service_level() == 1.0  # not past it yet: counted neither way
    clock.advance(seconds=1)
    assert service_level() == 0.5  # A001 called within, A002 still waiting past the target
    queue.call_next("T", 1, staff_id=clerk.id, now=clock.advance(minutes=5))
    assert service_level() == 0.5  # A002 called late: the same half


def test_a_visitor_who_withdrew_counts_only_once_past_the_target(app, clock):
    clerk = gen_staff("clerk", gen_unit("T"))
    queue.issue_ticket("T", "A", now=clock.now())  # A001, called within the target
    early, late = (queue.issue_ticket("T", "A", now=clock.now()).result for _ in range(2))
    windows.open_counter("T", 1, staff_id=clerk.id, now=clock.now())
    queue.call_next("T", 1, staff_id=clerk.id, now=clock.advance(minutes=1))  # A001
    queue.cancel(early["token"], now=clock.advance(minutes=10))  # withdrew before the target
    queue.cancel(late["token"], now=clock.advance(minutes=20))  # withdrew after 31 minutes
    clock.advance(days=1)  # read the next day: the withdrawals keep their own end
    total = ledger(make_scope("T", DAY, DAY), "unit", settings=SETTINGS, now=clock.now())["total"]
    assert (total["cancelled"], total["called"], total["service_level"]) == (2, 1, 0.5)


def test_calling_next_over_a_visitor_who_never_came_is_a_no_show_in_the_ledger(app, clock):
    clerk = gen_staff("clerk", gen_unit("T"))
    for _ in range(3):
        queue.issue_ticket("T", "A", now=clock.now())
    windows.open_counter("T", 1, staff_id=clerk.id, now=clock.now())

    def figures():
        scope = make_scope("T", DAY, DAY, staff_login="clerk")
        total = ledger(scope, "staff", settings=SETTINGS, now=clock.now())["total"]
        return total["served"], total["no_shows"], total["service_avg_s"]

    queue.call_next("T", 1, staff_id=clerk.id, now=clock.now())  # A001 never comes
    queue.call_next("T", 1, staff_id=clerk.id, now=clock.advance(minutes=3))  # A002
    assert figures() == (0, 1, None)
    queue.start("T", 1, staff_id=clerk.id, now=clock.advance(seconds=30))
    queue.call_next("T", 1, staff_id=clerk.id, now=clock.advance(minutes=4))  # A003
    assert figures() == (1, 1, 240)
    queue.finish("T", 1, staff_id=clerk.id, now=clock.advance(minutes=2))  # 办结 on a call
    assert figures() == (2, 1, 180)


def test_a_unit_may_have_its_own_target_wait(worked_day, clock):
    strict = {"TARGET_WAIT_S": 900, "UNITS": {"T": 300}}
    total = ledger(make_scope("T", DAY, DAY), "unit", settings=strict, now=clock.now())["total"]
    assert total["service_level"] == 0.25  # only A001 (60 s)


def test_the_table_shows_minutes_and_percentages(worked_day, clock):
    report = ledger(make_scope("T", DAY, DAY), "service", settings=SETTINGS, now=clock.now())
    total_line = ledger_table(report)[-1]
    assert total_line[:10] == ["合计 / Total", 4, 3, 1, 0, 10.1, 16.7, 5.5, 10.0, 50.0]


def test_scopes_are_checked(app):
    gen_unit("T")
    with pytest.raises(BadInput):
        make_scope("T", date(2026, 2, 1), date(2026, 1, 1))
    with pytest.raises(BadInput):
        make_scope(None, date(2026, 1, 1), date(2026, 1, 1), service="A")
    assert month_bounds("2026-02") == (date(2026, 2, 1), date(2026, 2, 28))


def test_the_generator_writes_a_year_that_the_ledger_adds_up(app, clock):
    made = generate_year(tickets=20_000, units=3, year=2025)
    assert made.tickets == Ticket.select().count() == 20_000
    year = ledger(make_scope(None, date(2025, 1, 1), date(2025, 12, 31)), "unit",
                  settings=SETTINGS, now=clock.now())  # fmt: skip
    assert year["total"]["issued"] == 20_000
    assert sum(row["issued"] for row in year["rows"]) == 20_000
    assert [row["key"] is not None for row in year["rows"]] == [True] * 3
    assert 0 < year["total"]["wait_avg_s"] < year["total"]["wait_p90_s"]
    assert year["total"]["ratings"] == made.ratings
