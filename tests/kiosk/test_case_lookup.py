"""凭回执查询办理进度: an applicant follows their case with the receipt's number and the last
four digits of their phone, on /case and through POST /api/case-progress. Nothing personal
comes back; a wrong number and wrong digits are refused alike; one address may ask only so
often."""

from __future__ import annotations

import json

import pytest

from kiosk.case_lookup import LOOKUPS_PER_CLIENT
from qhall import cases
from qhall.models import Case
from tests.factories import gen_staff, gen_unit

PHONE = "13812345678"


@pytest.fixture
def hall(app):
    t = gen_unit("T", services={"B": {"time_limit_days": 5}})
    u = gen_unit("U", services={"B": {"time_limit_days": 5}})
    return {"T": gen_staff("clerk", t), "U": gen_staff("other", u)}


def accept(hall, clock, unit="T", phone=PHONE) -> str:
    outcome = cases.accept_case(
        unit, "B", staff_id=hall[unit].id, matter="申请低保", visitor_name="张小三",
        visitor_phone=phone, materials=[{"name": "身份证", "quantity": 1}], now=clock.now(),
    )  # fmt: skip
    return outcome.result["case"]["number"]


def ask(client, number, digits, address="203.0.113.9"):
    return client.post(
        "/api/case-progress", json={"number": number, "digits": digits},
        environ_base={"REMOTE_ADDR": address},
    )  # fmt: skip


def test_the_right_number_and_digits_show_the_progress_and_nothing_personal(client, hall, clock):
    number = accept(hall, clock)
    answer = ask(client, number.lower(), "5678")  # as typed from the receipt, any case
    assert answer.status_code == 200
    progress = answer.get_json()
    assert progress["number"] == number and progress["service_name"] == "业务B"
    assert progress["status"] == "open" and progress["progress"]["zh"] == "正在办理中。"
    assert progress["accepted_day"] == "2026-11-26" and progress["due_day"] == "2026-12-03"
    text = json.dumps(progress, ensure_ascii=False)
    assert "张" not in text and "1381" not in text and "5678" not in text and "申请低保" not in text


def test_wrong_digits_are_refused_exactly_as_an_unknown_number(client, hall, clock):
    number = accept(hall, clock)
    wrong_digits = ask(client, number, "0000")
    unknown = ask(client, "T-20261126-999", "5678")
    assert wrong_digits.status_code == unknown.status_code == 404
    assert wrong_digits.get_json() == unknown.get_json()
    assert "没有找到与该办件编号和手机尾号相符的办件" in unknown.get_json()["message"]


def test_a_case_without_a_phone_is_never_found_by_digits(client, hall, clock):
    number = accept(hall, clock, phone="")
    assert ask(client, number, "0000").status_code == 404


def test_a_case_of_another_hall_opens_only_with_its_own_digits(client, hall, clock):
    theirs = accept(hall, clock, unit="U", phone="13900001111")
    accept(hall, clock)  # hall T's, with PHONE
    assert ask(client, theirs, "5678").status_code == 404  # T's applicant's digits
    found = ask(client, theirs, "1111").get_json()
    assert found["number"] == theirs and found["unit_name"] == "测试大厅U"


def test_a_suspended_case_says_which_materials_and_a_refusal_its_reason(client, hall, clock):
    number = accept(hall, clock)
    cases.suspend_case("T", number, staff_id=hall["T"].id,
                       missing=[{"name": "收入证明", "quantity": 2}], now=clock.now())  # fmt: skip
    stopped = ask(client, number, "5678").get_json()
    assert stopped["status"] == "suspended" and stopped["due_day"] is None
    assert stopped["missing_materials"] == [{"name": "收入证明", "quantity": 2}]
    assert "暂停计算" in stopped["progress"]["zh"]
    Case.update(status="completed", completed_at=clock.now(), decision="refused",
                result="家庭收入高于当地低保标准").where(Case.number == number).execute()  # fmt: skip
    done = ask(client, number, "5678").get_json()
    assert done["decision"] == "refused" and done["reason"] == "家庭收入高于当地低保标准"
    assert done["progress"]["en"].startswith("Completed: refused")
    assert done["missing_materials"] == [] and done["completed_day"] == "2026-11-26"


def test_one_address_may_ask_only_so_often(client, hall, clock):
    number = accept(hall, clock)
    answers = [ask(client, number, f"{n:04d}").status_code for n in range(LOOKUPS_PER_CLIENT)]
    assert answers == [404] * LOOKUPS_PER_CLIENT
    # Even the right digits wait now: guessing would otherwise go on until they fit.
    refused = ask(client, number, "5678")
    assert refused.status_code == 429 and "查询次数过多" in refused.get_json()["message"]
    assert ask(client, number, "5678", address="198.51.100.2").status_code == 200
    clock.advance(minutes=11)
    assert ask(client, number, "5678").status_code == 200


def test_the_page_fills_in_the_number_and_shows_the_progress(client, hall, clock):
    number = accept(hall, clock)
    form = client.get(f"/case?number={number}").get_data(as_text=True)
    assert f'value="{number}"' in form and "手机号码后四位" in form
    shown = client.post("/case", data={"number": number, "digits": "5678"})
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "正在办理中" in page and "2026-12-03" in page
    assert "张" not in page and PHONE not in page
    refused = client.post("/case", data={"number": number, "digits": "1234"})
    assert refused.status_code == 404 and "没有找到与该办件编号" in refused.get_data(as_text=True)


def test_the_receipt_prints_where_to_follow_the_case(app, hall, clock):
    from printer.printouts import render_receipt

    number = accept(hall, clock)
    data = cases.receipt_data(Case.get(Case.number == number))
    plain = render_receipt(data, contact_phone="12345")
    with app.test_request_context(base_url="https://hall.example.cn"):
        from qhall.web.printing import case_lookup_url

        url = case_lookup_url(number)
    assert url == f"https://hall.example.cn/case?number={number}"
    with_lookup = render_receipt({**data, "lookup_url": url}, contact_phone="12345")
    assert with_lookup.height > plain.height + 150  # the address and its QR code
