"""The counter's JSON routes through the real app: the window's line in calling order, first
inquiries, a case accepted with its receipt printed on the window's (fake, TCP) printer, the
missing-materials notice, ratings from the tablet and the phone, and rectification."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from qhall.models import Event, PrintJob, Rating, Rectification
from tests.factories import (
    assert_error,
    gen_bad_rating,
    gen_staff,
    gen_unit,
    post_json,
    sign_in,
    use_tablets,
)

BASE = "/api/units/T"


@pytest.fixture
def hall(app):
    unit = gen_unit(services={"A": {}, "B": {"time_limit_days": 5}})
    return {
        "unit": unit,
        "clerk": gen_staff("clerk", unit),
        "boss": gen_staff("boss", unit, role="manager"),
    }


@pytest.fixture
def clerk(client, hall):
    return sign_in(client)


@pytest.fixture
def boss(app, hall):
    return sign_in(app.test_client(), "boss")


def post(client, path, body=None, status=200, **headers):
    return post_json(client, BASE + path, body, status, **headers)


def test_the_windows_line_is_in_the_order_it_calls_with_priority_marked(clerk, hall):
    for service, priority in [("A", None), ("B", None), ("A", "elderly"), ("B", "disabled")]:
        clerk.post(f"{BASE}/tickets", json={"service": service, "priority": priority})
    post(clerk, "/counters/1/open")
    line = clerk.get(f"{BASE}/counters/1/queue").get_json()
    # Window 1 serves A then B; priority first, then its services in order, then place in line.
    assert [(t["number"], t["priority"]) for t in line["waiting"]] == [
        ("A002", "elderly"), ("B002", "disabled"), ("A001", None), ("B001", None)
    ]  # fmt: skip
    assert line["waiting_total"] == 4 and line["in_hand"] is None
    # …and the next call takes the head of that line.
    assert post(clerk, "/counters/1/call-next")["ticket"]["number"] == "A002"
    line = clerk.get(f"{BASE}/counters/1/queue").get_json()
    assert line["in_hand"]["number"] == "A002" and line["in_hand"]["priority"] == "elderly"
    post(clerk, "/counters/1/finish")
    figures = clerk.get(f"{BASE}/counters/1/queue").get_json()["figures"]
    assert figures["served"] == 1 and figures["ratings"]["count"] == 0


def test_the_line_is_for_staff_only(client, hall):
    assert client.get(f"{BASE}/counters/1/queue").status_code == 401


def test_a_first_inquiry_over_http_masked_for_colleagues(clerk, boss, hall, app):
    made = post(clerk, "/inquiries", {"matter": "咨询低保", "visitor_name": "王小明", "visitor_phone": "13900001111"}, 201)  # fmt: skip
    post(
        clerk,
        "/inquiries/refer",
        {"inquiry": made["id"], "to_staff": "boss", "note": "请负责人协调"},
    )
    colleague = gen_staff("colleague", hall["unit"])
    other = sign_in(app.test_client(), colleague.login)
    # The colleague cannot refer or resolve it, and sees no full name or phone anywhere.
    response = other.post(f"{BASE}/inquiries/resolve", json={"inquiry": made["id"], "outcome": "x"})
    assert response.status_code == 403
    (referred,) = boss.get(f"{BASE}/inquiries").get_json()["referred_to_me"]
    assert referred["visitor_name"] == "王小明"  # a manager may see it
    mine = clerk.get(f"{BASE}/inquiries").get_json()["mine"]
    assert [i["referrals"][0]["to_staff"] for i in mine] == ["员工boss"]
    post(clerk, "/inquiries/resolve", {"inquiry": made["id"], "outcome": "已答复"})
    assert clerk.get(f"{BASE}/inquiries").get_json()["mine"] == []


def test_a_case_receipt_and_a_notice_reach_the_windows_printer(clerk, hall, app, window_printer):
    body = {
        "service": "B",
        "matter": "申请最低生活保障",
        "visitor_name": "张小三",
        "materials": [{"name": "申请书", "quantity": 1}, {"name": "户口簿复印件", "quantity": 2}],
        "window": 1,
    }
    accepted = post(clerk, "/cases", body, 201, **{"Idempotency-Key": "accept-0001"})
    assert accepted["case"]["due_day"] == "2026-12-03" and accepted["print_job"]
    # The same request again (a double click) accepts and prints nothing more.
    again = post(clerk, "/cases", body, 200, **{"Idempotency-Key": "accept-0001"})
    assert again["case"]["number"] == accepted["case"]["number"]
    assert again["print_job"] == accepted["print_job"]
    number = accepted["case"]["number"]
    notice = post(clerk, "/cases/suspend", {"number": number, "missing": [{"name": "收入证明"}], "window": 1})  # fmt: skip
    assert notice["case"]["deadline"] == "stopped" and notice["print_job"]
    assert [(j.kind, j.ref) for j in PrintJob.select().order_by(PrintJob.id)] == [
        ("case_receipt", number), ("missing_materials", number)
    ]  # fmt: skip

    from qhall.web.realtime import publish

    spooler = app.extensions["printing"].make_spooler(app, publish)
    with app.app_context():
        spooler.run_once("t-window-1")
        spooler.run_once("t-window-1")
    pages = window_printer.wait_for_pages(2)
    assert len(pages) == 2 and all(page.cut for page in pages)
    assert {image.width for page in pages for image in page.images} == {576}
    # What went to paper is the rendering of the stored job: a tall 1-bit receipt.
    stored = Image.open(io.BytesIO(PrintJob.get(PrintJob.kind == "case_receipt").image))
    assert stored.mode == "1" and stored.width == 576 and stored.height > 800


def test_a_window_without_a_printer_still_accepts_the_case(clerk, hall):
    accepted = post(clerk, "/cases", {"service": "B", "matter": "寻亲", "window": 2}, 201)
    assert accepted["print_job"] is None and re.fullmatch(r"T-20261126-\d{3}", accepted["case"]["number"])  # fmt: skip


def test_the_case_lifecycle_and_lists_over_http(clerk, boss, hall, clock):
    number = post(clerk, "/cases", {"service": "B", "matter": "申请", "tasks": ["民政所", "残联"]}, 201)["case"]["number"]  # fmt: skip
    post(clerk, "/cases/extension", {"number": number, "days": 2, "reason": "需入户调查"})
    assert clerk.post(f"{BASE}/cases/extension-decision", json={"number": number, "approve": True}).status_code == 403  # fmt: skip
    assert [x["case"] for x in boss.get(f"{BASE}/cases").get_json()["pending_extensions"]] == [
        number
    ]
    decided = post(
        boss, "/cases/extension-decision", {"number": number, "approve": True, "note": "同意"}
    )
    assert decided["case"]["due_day"] == "2026-12-07"
    clock.advance(days=11)  # Monday 7 December
    # A new working day: yesterday's sign-in has ended (STAFF_SESSION_HOURS).
    sign_in(clerk, "clerk"), sign_in(boss, "boss")
    assert post(clerk, "/cases/check-deadlines")["warned"] == [number]
    assert [c["number"] for c in clerk.get(f"{BASE}/cases").get_json()["due_today"]] == [number]
    clock.advance(days=1)
    sign_in(clerk, "clerk"), sign_in(boss, "boss")
    assert post(boss, "/cases/check-deadlines")["escalated"] == [number]
    assert [c["number"] for c in boss.get(f"{BASE}/cases").get_json()["overdue"]] == [number]
    case = clerk.get(f"{BASE}/cases", query_string={"number": number}).get_json()
    for task in case["tasks"]:
        result = post(clerk, "/cases/task-done", {"number": number, "task": task["id"]})
    # The last part done leaves the decision to the window.
    assert result["case"]["status"] == "open" and result["case"]["awaiting_decision"]
    refused = assert_error(clerk.post(f"{BASE}/cases/decide", json={"number": number, "decision": "refused"}), 400)  # fmt: skip
    assert refused["message"] == "不予办理须写明理由。"
    decided = post(clerk, "/cases/decide", {"number": number, "decision": "refused", "reason": "收入超过低保标准"})  # fmt: skip
    assert (decided["case"]["status"], decided["case"]["decision"], decided["case"]["result"]) == (
        "completed", "refused", "收入超过低保标准"
    )  # fmt: skip


def test_ratings_from_the_tablet_and_the_phone_and_a_rectification(clerk, boss, hall, client, app):
    first = clerk.post(f"{BASE}/tickets", json={"service": "A"}).get_json()
    second = clerk.post(f"{BASE}/tickets", json={"service": "A"}).get_json()
    post(clerk, "/counters/1/open")
    post(clerk, "/counters/1/call-next")
    post(clerk, "/counters/1/start")
    post(clerk, "/counters/1/call-next")  # finishes A001, served
    # Window 1's registered tablet, facing the visitor (tests/counter/test_rating_access.py).
    use_tablets(app, [{"name": "t-1", "unit": "T", "window": 1, "token": "tablet-T1-secret-01"}])
    device = {"X-Device-Token": "tablet-T1-secret-01"}
    tablet = app.test_client()  # not signed in: it faces the visitor
    assert tablet.get(f"{BASE}/counters/1/rating", headers=device).get_json()["number"] == "A001"
    scores = {"number": "A001", "level": 1, "efficiency": 2, "competence": 2, "attitude": 1}
    bad = tablet.post(f"{BASE}/counters/1/rating", json=scores, headers=device)
    assert bad.status_code == 400 and bad.get_json()["field"] == "reasons"
    rated = post(
        tablet, "/counters/1/rating", {**scores, "reasons": ["attitude"], "words": "态度冷淡"},
        201, **device,
    )  # fmt: skip
    assert rated["rectification"]
    assert tablet.get(f"/api/tickets/{first['token']}/rating").get_json()["can_rate"] is False
    # The phone rates the second visit once it is finished.
    phone = app.test_client()
    assert (
        phone.post(f"/api/tickets/{second['token']}/rating", json={"level": 5}).status_code == 409
    )
    post(clerk, "/counters/1/finish")
    assert (
        phone.post(f"/api/tickets/{second['token']}/rating", json={"level": 5}).status_code == 201
    )
    assert (
        phone.post(f"/api/tickets/{second['token']}/rating", json={"level": 4}).status_code == 409
    )

    (item,) = boss.get(f"{BASE}/rectifications").get_json()
    assert item["rating"]["reason"] == "态度冷淡" and item["due_day"] == "2026-12-03"
    # The rated clerk explains first; the manager then verifies (the steps: tests below).
    assert item["can"] == ["assign"]
    assert [i["can"] for i in clerk.get(f"{BASE}/rectifications").get_json()] == [
        ["rectify", "appeal"]
    ]


def test_rectification_over_http_the_rated_person_explains_and_someone_else_checks(
    clerk, boss, hall, app, clock
):
    item = gen_bad_rating(clock, hall["clerk"], phone="13812341234").id
    gen_staff("mate", hall["unit"])
    mate = sign_in(app.test_client(), "mate")
    gen_staff("u-boss", gen_unit("U", services={"A": {}}, counters={1: ["A"]}), role="manager")
    stranger, other_hall = app.test_client(), sign_in(app.test_client(), "u-boss")
    verify = {"item": item, "step": "verify", "note": "本人自查属实"}

    assert_error(stranger.get(f"{BASE}/rectifications"), 401)
    assert_error(stranger.post(f"{BASE}/rectifications/step", json=verify), 401)
    assert_error(other_hall.get(f"{BASE}/rectifications"), 403)
    explained = post(clerk, "/rectifications/step",
                     {"item": item, "step": "rectify", "note": "已学习服务规范"})  # fmt: skip
    assert (explained["status"], explained["can"]) == ("rectified", ["appeal"])
    events = Event.select().count()
    for refused, path, body in [
        (clerk, "/rectifications/step", verify),  # the rated person checks themselves
        (clerk, "/rectifications/assign", {"item": item, "reviewer": hall["boss"].id}),
        (mate, "/rectifications/step", verify),  # a colleague not assigned
        (other_hall, "/rectifications/step", verify),
    ]:
        assert_error(refused.post(BASE + path, json=body), 403)
    assert Event.select().count() == events
    assert Rectification.get_by_id(item).verified_at is None

    (listed,) = boss.get(f"{BASE}/rectifications").get_json()
    assert (listed["can"], listed["callback_phone"]) == (["verify", "assign"], "138****1234")
    mate_id = next(c["id"] for c in listed["reviewer_choices"] if c["name"] == "员工mate")
    post(boss, "/rectifications/assign", {"item": item, "reviewer": mate_id})
    assert [i["id"] for i in mate.get(f"{BASE}/rectifications").get_json()] == [item]
    post(mate, "/rectifications/step", verify | {"note": "查看录像属实"})
    assert_error(
        mate.post(f"{BASE}/rectifications/step", json={"item": item, "step": "close"}), 409
    )
    post(mate, "/rectifications/step",
         {"item": item, "step": "call-back", "note": "群众认可", "answer": "satisfied"})  # fmt: skip
    closed = post(mate, "/rectifications/step", {"item": item, "step": "close"})
    assert closed["status"] == "closed"
    assert [i["id"] for i in boss.get(f"{BASE}/rectifications?closed=1").get_json()] == [item]


def test_an_appeal_over_http_is_decided_by_someone_other_than_the_rated_person(
    clerk, boss, hall, clock
):
    item = gen_bad_rating(clock, hall["clerk"]).id
    assert_error(
        boss.post(f"{BASE}/rectifications/appeal", json={"item": item, "reason": "x"}), 403
    )
    appealed = post(clerk, "/rectifications/appeal", {"item": item, "reason": "系恶意差评"})
    assert appealed["appeal"]["reason"] == "系恶意差评" and appealed["can"] == []
    decision = {"item": item, "accept": True, "note": "我认为成立"}
    assert_error(clerk.post(f"{BASE}/rectifications/appeal-decision", json=decision), 403)
    assert Rating.get().excluded is False
    decided = post(boss, "/rectifications/appeal-decision", decision | {"accept": False})
    assert (decided["status"], decided["appeal"]["decision"]) == ("open", "rejected")
    assert_error(
        clerk.post(f"{BASE}/rectifications/appeal", json={"item": item, "reason": "再申诉"}), 409
    )


def test_every_counter_route_is_in_the_openapi_document(app, client):
    documented = {
        (path, method.upper())
        for path, operations in client.get("/api/openapi.json").get_json()["paths"].items()
        for method in operations
    }

    from counter import cases_api, ratings_api, rectification_api

    mine = {cases_api.__name__, ratings_api.__name__, rectification_api.__name__}
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if view.__module__ not in mine:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, f"{method} {path}"
