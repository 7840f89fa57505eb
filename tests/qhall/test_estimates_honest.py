"""Estimates that are true: no number without an open window, robust visit lengths, paused
windows not counted, priority visitors ahead counted; the alert for a line nobody serves;
and the benchmark that measures them (issue 15)."""

from __future__ import annotations

import pytest

from qhall import queue, windows
from qhall.dashboard import live_figures
from qhall.estimates import HallNow, OpenWindow, estimate_wait, wait_range_min
from qhall.models import Service, Ticket
from qhall.shapes import services_view, visitor_view
from qhall.tools import bench_estimates
from tests.factories import gen_staff, gen_ticket, gen_unit, sign_in


@pytest.fixture
def hall(app):
    # Window 1 serves A only; B has window 2 only; both expect 5-minute visits.
    unit = gen_unit(counters={1: ["A"], 2: ["B"]})
    boss = gen_staff("boss", unit=unit, role="manager")
    return unit, gen_staff(unit=unit), boss


def service(unit, code: str) -> dict:
    return next(s for s in services_view(unit, _now[0]) if s["code"] == code)


_now = [None]


@pytest.fixture(autouse=True)
def _clock(clock):
    _now[0] = clock.now()


def test_no_open_window_gives_no_number_anywhere(hall, clock):
    unit, _clerk, _boss = hall
    issued = gen_ticket(clock, "A")
    assert issued["estimated_wait_s"] is None
    assert issued["estimate"] == {"state": "no_window", "low_min": None, "high_min": None}
    assert visitor_view(issued["token"])["estimate"]["state"] == "no_window"
    assert service(unit, "A")["estimate"]["state"] == "no_window"


def test_one_short_visit_does_not_make_five_waiting_very_soon(hall, clock):
    unit, clerk, _boss = hall
    windows.open_counter("T", 1, staff_id=clerk.id, now=clock.now())
    gen_ticket(clock, "A")
    queue.call_next("T", 1, staff_id=clerk.id, now=clock.now())
    queue.start("T", 1, staff_id=clerk.id, now=clock.now())
    clock.advance(seconds=1)
    queue.finish("T", 1, staff_id=clerk.id, now=clock.now())
    assert Ticket.get(Ticket.number == "A001").service_s == 1
    for _ in range(5):
        gen_ticket(clock, "A")
    estimate = service(unit, "A")
    # Five visitors of at least 5 minutes each at one window: 25 minutes, said as 20–30.
    assert estimate["estimated_wait_s"] >= 25 * 60
    assert (estimate["estimate"]["low_min"], estimate["estimate"]["high_min"]) == (20, 30)


def test_a_paused_window_is_not_counted(hall, clock):
    unit, clerk, _boss = hall
    windows.open_counter("T", 2, staff_id=clerk.id, now=clock.now())
    gen_ticket(clock, "B")
    assert service(unit, "B")["estimate"]["state"] == "ok"
    windows.pause_counter("T", 2, "break", staff_id=clerk.id, now=clock.now())
    assert service(unit, "B")["estimate"]["state"] == "no_window"
    assert service(unit, "B")["open_windows"] == 0


def test_visits_shorter_than_expected_do_not_lower_the_estimate_below_it(hall, clock):
    unit, clerk, _boss = hall
    Service.update(expected_service_s=600).where(Service.code == "A").execute()
    windows.open_counter("T", 1, staff_id=clerk.id, now=clock.now())
    for _ in range(6):  # six visits of a minute each
        gen_ticket(clock, "A")
        queue.call_next("T", 1, staff_id=clerk.id, now=clock.now())
        queue.start("T", 1, staff_id=clerk.id, now=clock.now())
        clock.advance(minutes=1)
        queue.finish("T", 1, staff_id=clerk.id, now=clock.now())
    gen_ticket(clock, "A")
    gen_ticket(clock, "A")
    assert service(unit, "A")["estimated_wait_s"] == 2 * 600


def test_priority_visitors_ahead_are_counted(hall, clock):
    _unit, clerk, _boss = hall
    windows.open_counter("T", 1, staff_id=clerk.id, now=clock.now())
    first = gen_ticket(clock, "A")
    queue.call_next("T", 1, staff_id=clerk.id, now=clock.now())  # window 1 is busy now
    mine = gen_ticket(clock, "A")
    alone = visitor_view(mine["token"])
    gen_ticket(clock, "A", priority="elderly")
    gen_ticket(clock, "A", priority="elderly")
    behind_two = visitor_view(mine["token"])
    assert first["number"] == "A001" and alone["ahead"] == 0
    assert behind_two["ahead"] == 2
    assert behind_two["estimated_wait_s"] >= alone["estimated_wait_s"] + 2 * 300


def test_the_range_people_are_told():
    assert wait_range_min(30) == (0, 0)  # 即将办理
    assert wait_range_min(3 * 60) == (0, 5)  # 5 分钟内
    assert wait_range_min(12 * 60) == (10, 15)
    assert wait_range_min(40 * 60) == (30, 50)


# --- the alert: visitors waiting and no open window --------------------------------------


def test_the_manager_is_alerted_of_a_line_no_window_serves(hall, clock, app):
    _unit, clerk, boss = hall
    windows.open_counter("T", 1, staff_id=clerk.id, now=clock.now())
    gen_ticket(clock, "A")
    settings = app.config["SERVICE_LEVEL"]

    def alerts():
        live = live_figures(boss, "T", now=clock.now(), settings=settings)
        return [a for a in live["alerts"] if a["kind"] == "no_window"]

    assert alerts() == []
    gen_ticket(clock, "B")
    gen_ticket(clock, "B")
    (alert,) = alerts()
    assert alert["service"] == "B" and alert["unit"] == "T"
    assert "2 位群众正在等候" in alert["message"] and "no open window" in alert["message_en"]
    windows.open_counter("T", 2, staff_id=clerk.id, now=clock.now())
    assert alerts() == []


def test_the_halls_windows_are_alerted_when_the_last_window_of_a_service_pauses(hall, app):
    from qhall.web import realtime
    from qhall.web.realtime import socketio

    realtime._last_alert.clear()  # alerts are sent once a while; start this test afresh
    client = sign_in(app.test_client())
    window_page = socketio.test_client(app, flask_test_client=sign_in(app.test_client()))
    window_page.emit("join", {"unit": "T"}, callback=True)
    assert client.post("/api/units/T/counters/2/open", json={}).status_code < 300
    assert client.post("/api/units/T/tickets", json={"service": "B"}).status_code == 201
    assert not _alerts(window_page)
    paused = client.post("/api/units/T/counters/2/pause", json={"reason": "break"})
    assert paused.status_code < 300, paused.get_json()
    (alert,) = _alerts(window_page)
    assert alert["error"] == "no_window"
    assert "B 业务B" in alert["message"] and "Service B" in alert["message_en"]
    window_page.disconnect()


def test_a_ticket_no_open_window_will_call_alerts_the_halls_windows(hall, app):
    from qhall.web import realtime
    from qhall.web.realtime import socketio

    realtime._last_alert.clear()
    client = sign_in(app.test_client())
    window_page = socketio.test_client(app, flask_test_client=sign_in(app.test_client()))
    window_page.emit("join", {"unit": "T"}, callback=True)
    assert client.post("/api/units/T/counters/1/open", json={}).status_code < 300
    served = client.post("/api/units/T/tickets", json={"service": "A"})
    assert served.get_json()["estimate"]["state"] == "ok"
    assert not _alerts(window_page)  # window 1 will call it
    unserved = client.post("/api/units/T/tickets", json={"service": "B"})
    assert unserved.get_json()["estimate"]["state"] == "no_window"
    (alert,) = _alerts(window_page)
    assert alert["error"] == "no_window" and "B 业务B" in alert["message"]
    window_page.disconnect()


def _alerts(page) -> list[dict]:
    return [m["args"][0] for m in page.get_received() if m["name"] == "system.alert"]


# --- the benchmark -------------------------------------------------------------------


def test_the_benchmark_prints_both_estimators_figures(capsys):
    report = bench_estimates.main(["--quick"])
    out = capsys.readouterr().out
    assert "new (" in out and "naive (" in out and "MAE" in out
    assert report["compared"] > 100
    assert report["new"]["mae_min"] < report["naive"]["mae_min"]


# --- the forward replay of the hall's calls ----------------------------------------------


def _hall(windows, waiting, priority=None) -> HallNow:
    # Every service's visits last 5 minutes, as the service says (no visits recorded yet).
    return HallNow(
        windows=windows,
        waiting=waiting,
        visits={},
        expected_s={"A": 300, "B": 300},
        priority=priority or {},
    )


def test_a_window_calling_another_service_first_gives_nothing_while_that_line_waits():
    # Window 1 calls B before A and four wait for B; window 2 calls A only.
    shared = OpenWindow(("B", "A"), busy=False)
    own = OpenWindow(("A",), busy=False)
    with_both = estimate_wait(_hall([shared, own], {"A": 2, "B": 4}), "A", 2)
    alone = estimate_wait(_hall([own], {"A": 2, "B": 4}), "A", 2)
    # The shared window is busy with B for 20 minutes; window 2 calls the 2 ahead and then
    # this visitor at 10 minutes, exactly as if window 2 were alone.
    assert with_both.wait_s == alone.wait_s == 10 * 60
    # With B's line empty the shared window does help: 2 ahead over 2 windows, 5 minutes.
    assert estimate_wait(_hall([shared, own], {"A": 2, "B": 0}), "A", 2).wait_s == 5 * 60


def test_priority_visitors_of_a_window_come_first_within_the_streak_limit():
    window = OpenWindow(("A", "B"), busy=False, streak=0)
    hall = _hall([window], {"A": 0, "B": 2}, priority={"B": 2})
    # A's ordinary visitor waits for both priority visitors of B: 10 minutes.
    assert estimate_wait(hall, "A", 0).wait_s == 10 * 60
    # After two priority calls in a row (the streak limit) ordinary visitors go first.
    tired = _hall([OpenWindow(("A", "B"), busy=False, streak=2)], {"A": 0, "B": 2}, {"B": 2})
    assert estimate_wait(tired, "A", 0).wait_s == 0


def test_a_long_running_visit_in_hand_is_expected_to_run_on():
    visits = {"A": [200, 250, 300, 320, 350, 400, 900, 950, 1000, 1100]}
    fresh = OpenWindow(("A",), busy=True, in_hand="A", elapsed_s=0)
    long = OpenWindow(("A",), busy=True, in_hand="A", elapsed_s=800)
    hall = HallNow(windows=[fresh], waiting={"A": 0}, visits=visits, expected_s={"A": 300})
    just_started = estimate_wait(hall, "A", 0).wait_s
    hall.windows = [long]
    # 800 s into a visit the long ones say about 200 s more, not "over any moment now".
    assert 120 <= estimate_wait(hall, "A", 0).wait_s < just_started
