"""The admin editor refuses a value that would break a hall: a 400 in both languages, nothing
saved, nothing logged, and the kiosk and the dashboards carry on as before."""

from __future__ import annotations

import pytest
from playhouse.shortcuts import model_to_dict

from qhall.models import CalendarDay, Counter, ScreenItem, Service, Unit
from qhall.supervision_models import AuditEntry


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def hall_still_answers(as_user) -> None:
    """The hall's kiosk and the bureau's dashboard pages answer as usual."""
    kiosk = as_user("clerk")
    assert kiosk.get("/kiosk/T").status_code == 200
    services = kiosk.get("/api/units/T/services")
    assert services.status_code == 200, services.get_json()
    admin = as_user("admin")
    for page in ("/admin/", "/api/admin/live", "/admin/ledger?unit=T&month=2026-11"):
        assert admin.get(page).status_code == 200, page


def record(kind: str, bureau) -> tuple[type, int]:
    """Return the model and id of the record each kind's bad values are tried on."""
    t = bureau["T"]
    if kind == "units":
        return Unit, t.id
    if kind == "services":
        return Service, Service.get(Service.unit == t.id, Service.code == "A").id
    return Counter, Counter.get(Counter.unit == t.id, Counter.window == 1).id


BAD_CHANGES = [
    ("units", {"timezone": "Mars/Base"}, "Time zone"),
    ("units", {"timezone": "Asia"}, "Time zone"),
    ("units", {"code": '=HYPERLINK("http://evil.example","x")'}, "Code"),
    ("units", {"code": "mzj"}, "Code"),
    ("units", {"priority_streak_limit": -1}, "Priority calls in a row"),
    ("units", {"no_show_grace_s": 10_000_000}, "No-show grace"),
    ("units", {"day_starts_at": "24:00"}, "Day starts at"),
    ("units", {"day_starts_at": "6am"}, "Day starts at"),
    ("units", {"round_the_clock": "yes"}, "Open round the clock"),
    ("services", {"code": "AB"}, "Letter"),
    ("services", {"code": "a"}, "Letter"),
    ("services", {"hours": "25:00-26:00"}, "Hours"),
    ("services", {"hours": "08:30-08:30"}, "Hours"),
    ("services", {"hours": "08:00-12:00,11:00-13:00"}, "Hours"),
    ("services", {"hours": "13:30-17:30,08:30-12:00"}, "Hours"),
    ("services", {"weekdays": ""}, "Weekdays"),
    ("services", {"weekdays": "1123"}, "Weekdays"),
    ("services", {"weekdays": "8"}, "Weekdays"),
    ("services", {"daily_limit": -1}, "Daily ticket limit"),
    ("services", {"time_limit_days": 5000}, "Time limit"),
    ("services", {"expected_service_s": 0}, "Expected length"),
    ("windows", {"window": 0}, "Window number"),
]


@pytest.mark.parametrize("kind, fields, label", BAD_CHANGES)
def test_a_bad_value_is_refused_in_both_languages_and_nothing_changes(
    as_user, bureau, kind, fields, label
):
    model, record_id = record(kind, bureau)
    before = model_to_dict(model.get_by_id(record_id), recurse=False)
    admin = as_user("admin")
    logged = AuditEntry.select().count()  # signing in is logged too
    answer = admin.post(
        f"/api/admin/config/{kind}", json={"unit": "T", "id": record_id, "fields": fields}
    )
    assert answer.status_code == 400, answer.get_json()
    body = answer.get_json()
    assert has_chinese(body["message"]) and label in body["message_en"]
    assert not has_chinese(body["message_en"])
    assert model_to_dict(model.get_by_id(record_id), recurse=False) == before
    assert AuditEntry.select().count() == logged


def test_after_every_refusal_the_kiosk_and_the_dashboards_still_answer(as_user, bureau):
    admin = as_user("admin")
    for kind, fields, _label in BAD_CHANGES:
        _model, record_id = record(kind, bureau)
        answer = admin.post(
            f"/api/admin/config/{kind}", json={"unit": "T", "id": record_id, "fields": fields}
        )
        assert answer.status_code == 400
    hall_still_answers(as_user)


def test_a_new_hall_with_a_formula_for_a_code_is_not_made(as_user, bureau):
    admin = as_user("admin")
    logged = AuditEntry.select().count()
    answer = admin.post(
        "/api/admin/config/units",
        json={"fields": {"code": "=1+1", "name_zh": "新大厅", "name_en": "New hall"}},
    )
    assert answer.status_code == 400
    assert "capital letters" in answer.get_json()["message_en"]
    assert Unit.select().count() == 2 and AuditEntry.select().count() == logged


def test_the_bureaus_own_records_refuse_days_and_seconds_out_of_range(as_user, bureau):
    admin = as_user("admin")
    logged = AuditEntry.select().count()
    for day in ("2026-02-30", "1999-12-31"):
        answer = admin.post("/api/admin/config/calendar",
                            json={"fields": {"day": day, "workday": True}})  # fmt: skip
        assert answer.status_code == 400 and has_chinese(answer.get_json()["message"])
    answer = admin.post("/api/admin/config/calendar",
                        json={"fields": {"day": "2026-12-31", "workday": "no"}})  # fmt: skip
    assert answer.status_code == 400
    answer = admin.post("/api/admin/config/screens", json={"fields": {
        "key": "k", "kind": "commitment", "title_zh": "承诺", "body_zh": "正文", "body_en": "",
        "image": "", "position": 1, "seconds": 0}})  # fmt: skip
    assert answer.status_code == 400 and "Seconds shown" in answer.get_json()["message_en"]
    assert CalendarDay.select().count() == 0 and AuditEntry.select().count() == logged
    assert not ScreenItem.select().where(ScreenItem.key == "k").exists()


def test_good_values_are_saved_cleaned_and_the_new_day_fields_are_offered(as_user, bureau):
    boss = as_user("boss-t")
    spec = boss.get("/api/admin/config/units?unit=T").get_json()
    labels = {f["name"]: (f["label"], f["label_en"], f["type"]) for f in spec["fields"]}
    assert labels["day_starts_at"] == ("开放日切换时间", "Day starts at", "clock")
    assert labels["round_the_clock"] == ("24小时开放", "Open round the clock", "bool")
    assert "开放日切换时间" in boss.get("/admin/config/units?unit=T").get_data(as_text=True)
    t = bureau["T"]
    answer = boss.post("/api/admin/config/units", json={"unit": "T", "id": t.id, "fields": {
        "timezone": "", "day_starts_at": "4:00", "round_the_clock": True}})  # fmt: skip
    assert answer.status_code == 200, answer.get_json()
    saved = Unit.get_by_id(t.id)
    assert (saved.timezone, saved.day_starts_at, saved.round_the_clock) == (
        "Asia/Shanghai", "04:00", True)  # fmt: skip
    service = Service.get(Service.unit == t.id, Service.code == "A")
    answer = boss.post("/api/admin/config/services", json={"unit": "T", "id": service.id,
                       "fields": {"hours": "8:30-12:00, 13:30-17:30", "weekdays": "54321"}})  # fmt: skip
    assert answer.status_code == 200, answer.get_json()
    service = Service.get_by_id(service.id)
    assert (service.hours, service.weekdays) == ("08:30-12:00,13:30-17:30", "12345")


def test_a_zone_stored_before_the_checks_does_not_break_the_hall(as_user, bureau):
    Unit.update(timezone="Not/A_Zone").where(Unit.id == bureau["T"].id).execute()
    hall_still_answers(as_user)
