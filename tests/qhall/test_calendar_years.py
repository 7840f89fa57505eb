"""The working-day calendar knows only the years whose holidays are entered (config/calendar.toml
has 2025 and 2026): a deadline counted into another year is flagged for a person to check,
the dashboard warns from 1 November while next year is missing, and an administrator enters
a year's holidays at once."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from qhall import cases, configure
from qhall.approvals import pending_approvals
from qhall.dashboard import live_figures
from qhall.errors import BadInput, Forbidden
from qhall.workdays import parse_days, work_calendar
from tests.factories import gen_staff, gen_unit, sign_in

# 元旦 2027 as it would be entered; the real notice is not published yet (see calendar.toml).
NEW_YEAR_2027 = "2027-01-01..2027-01-03 休 元旦"


def at_ten(day: date) -> datetime:
    """10:00 in Shanghai on day, as the naive UTC the clock keeps."""
    return datetime(day.year, day.month, day.day, 2, 0)


@pytest.fixture
def hall(app):
    unit = gen_unit(services={"A": {}, "B": {"time_limit_days": 5}, "L": {"time_limit_days": 30}})
    return {"unit": unit, "clerk": gen_staff("clerk", unit),
            "boss": gen_staff("boss", unit, role="manager"), "admin": gen_staff("admin", None, role="admin")}  # fmt: skip


def accept(hall, now, service) -> dict:
    return cases.accept_case("T", service, staff_id=hall["clerk"].id, matter="申请", now=now).result["case"]  # fmt: skip


def alerts(app, hall, now) -> list[dict]:
    live = live_figures(hall["boss"], "T", now=now, settings=app.config["SERVICE_LEVEL"])
    return live["alerts"]


def test_a_deadline_counted_into_a_year_with_no_holidays_is_flagged(hall, clock):
    short = accept(hall, clock.now(), "B")  # due 3 December 2026: a year the calendar has
    long = accept(hall, clock.now(), "L")  # 30 working days from 26 November: January 2027
    assert short["deadline_check"] is None
    assert long["due_day"].startswith("2027-01")
    check = long["deadline_check"]
    assert check["years"] == [2027]
    assert check["message"] == "期限跨入未录入节假日的年份（2027年），请人工核对"
    assert check["message_en"].startswith(
        "The deadline runs into a year whose holidays are not entered"
    )
    # The window's lists carry it, and so does the manager's approvals page.
    running = cases.case_lists("T", hall["clerk"], now=clock.now(), warn_days=2)["running"]
    assert {c["number"]: bool(c["deadline_check"]) for c in running} == {short["number"]: False, long["number"]: True}  # fmt: skip
    cases.request_extension("T", short["number"], staff_id=hall["clerk"].id, days=25, reason="入户调查", now=clock.now())  # fmt: skip
    (extension,) = pending_approvals([hall["unit"]], now=clock.now())["extensions"]
    assert extension["new_due_day"].startswith("2027-01") and extension["deadline_check"]["years"] == [2027]  # fmt: skip


def test_the_dashboard_lists_the_flagged_cases(app, hall, clock):
    long = accept(hall, clock.now(), "L")
    accept(hall, clock.now(), "B")
    (flagged,) = [a for a in alerts(app, hall, clock.now()) if a["kind"] == "deadline_unchecked"]
    assert flagged["cases"] == [long["number"]] and long["number"] in flagged["message"]
    assert flagged["message"].startswith("1 件承诺件的期限跨入未录入节假日的年份，请人工核对")


def test_the_dashboard_warns_from_1_november_while_next_year_is_missing(app, hall):
    kinds = lambda day: [a["kind"] for a in alerts(app, hall, at_ten(day))]  # noqa: E731
    assert "calendar_missing" not in kinds(date(2026, 10, 31))
    (warning,) = [a for a in alerts(app, hall, at_ten(date(2026, 11, 1))) if a["kind"] == "calendar_missing"]  # fmt: skip
    assert warning["message"].startswith("尚未录入2027年节假日安排")
    assert warning["message_en"].startswith(
        "Next year's public holidays (2027) are not entered yet"
    )
    # 2026 is in the calendar file: no warning in November 2025.
    assert "calendar_missing" not in kinds(date(2025, 11, 20))
    # Once 2027's days are entered on the admin page, the warning goes.
    configure.save_calendar_days(NEW_YEAR_2027, staff_id=hall["admin"].id, now=at_ten(date(2026, 11, 2)))  # fmt: skip
    assert "calendar_missing" not in kinds(date(2026, 11, 26))


def test_entering_a_years_holidays_counts_them_and_names_the_cases_counted_before(hall, clock):
    before = accept(hall, clock.now(), "L")
    saved = configure.save_calendar_days(
        NEW_YEAR_2027 + "\n2027-02-07,2027-02-20 班 春节调休\n# comments and blank lines pass\n\n",
        staff_id=hall["admin"].id, now=clock.now(),
    ).result  # fmt: skip
    assert saved == {"saved": 5, "years": [2027], "cases_to_check": [before["number"]]}
    calendar = work_calendar()
    assert 2027 in calendar.years
    assert not calendar.is_workday(date(2027, 1, 1)) and calendar.is_workday(date(2027, 2, 7))
    # 元旦 now counts as a day off: the same case accepted today is due a working day later.
    after = accept(hall, clock.now(), "L")
    assert after["deadline_check"] is None
    assert date.fromisoformat(after["due_day"]) > date.fromisoformat(before["due_day"])


def test_a_manager_cannot_enter_the_bureaus_calendar(hall, clock):
    with pytest.raises(Forbidden):
        configure.save_calendar_days(NEW_YEAR_2027, staff_id=hall["boss"].id, now=clock.now())
    assert 2027 not in work_calendar().years


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2027-01-01..2027-01-03", "第 1 行"),  # no 休 or 班
        ("2027-01-01 休\n2027-13-01 休", "第 2 行"),  # no such day
        ("2027-01-03..2027-01-01 休", "应从早到晚"),
        ("2027-01-01..2027-10-01 休", "不超过 31 天"),
        ("2027-02-07 休\n2027-02-07 班", "既写作休息又写作上班"),
        ("", "请至少填写一行日期"),
    ],
)
def test_a_line_that_does_not_fit_is_refused_with_its_line(text, words):
    with pytest.raises(BadInput) as refused:
        parse_days(text)
    assert words in refused.value.zh


def test_the_calendar_page_takes_many_days_at_once(app, hall):
    admin = sign_in(app.test_client(), "admin")
    page = admin.get("/admin/config/calendar").get_data(as_text=True)
    assert "批量录入节假日安排" in page and "calendar-days.js" in page
    saved = admin.post("/api/admin/calendar/days", json={"text": NEW_YEAR_2027})
    assert saved.status_code == 200 and saved.get_json()["saved"] == 3
    listed = admin.get("/api/admin/config/calendar").get_json()["records"]
    assert [(r["day"], r["workday"], r["note"]) for r in listed] == [
        ("2027-01-01", False, "元旦"), ("2027-01-02", False, "元旦"), ("2027-01-03", False, "元旦")
    ]  # fmt: skip
    boss = sign_in(app.test_client(), "boss")
    assert boss.post("/api/admin/calendar/days", json={"text": NEW_YEAR_2027}).status_code == 403
