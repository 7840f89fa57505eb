"""The item-by-item registers (台账): one row per inquiry, case, rating (with its
rectification), inspection finding and notice, filtered by unit, window, person and period,
in the hall's time, with visitors' contacts masked per role, and exports that hold the same
rows as the page."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from admin import registers as register_views
from qhall.models import (
    Case,
    CaseExtension,
    Counter,
    Inquiry,
    Rating,
    Rectification,
    Referral,
    Service,
    Ticket,
)
from qhall.registers import REGISTERS
from qhall.supervision_models import Finding, Inspection, Notice
from tests.factories import assert_error, gen_staff, gen_ticket

NOVEMBER = "from=2026-11-01&to=2026-11-30"
# What a spreadsheet would run: a visitor typed it as their words.
FORMULA = '=HYPERLINK("http://example.com","点我")'


def utc(text: str) -> datetime:
    """A stored moment, given as UTC: "2026-11-26 02:00" is 10:00 in Shanghai."""
    return datetime.fromisoformat(text)


@pytest.fixture
def hall(bureau, clock):
    """Hall T's November, by hand: two clerks at windows 1 and 2, inquiries, cases, a bad
    rating being rectified and a good one, an inspection with two findings and its notice,
    another without findings; and a few rows outside November or in hall U."""
    t, u = bureau["T"], bureau["U"]
    clerk, boss, inspector = bureau["clerk"], bureau["boss-t"], bureau["inspector"]
    clerk2 = gen_staff("clerk2", t)
    window = {c.window: c for c in Counter.select().where(Counter.unit == t.id)}
    service = {s.code: s for s in Service.select().where(Service.unit == t.id)}

    def ticket(at_window: int, staff):
        issued = gen_ticket(clock, "A")
        Ticket.update(counter=window[at_window], staff=staff, status="finished").where(
            Ticket.token == issued["token"]
        ).execute()
        return Ticket.get(Ticket.token == issued["token"])

    first, second, third = ticket(1, clerk), ticket(2, clerk2), ticket(1, clerk)
    resolved = Inquiry.create(
        unit=t, owner=clerk, ticket=first, service=service["A"], visitor_name="张小三",
        visitor_phone="13812345678", organisation="和平社区", matter="咨询低保申请材料",
        status="resolved", outcome="已一次性告知", created_at=utc("2026-11-26 01:05"),
        resolved_at=utc("2026-11-26 01:35"),
    )  # fmt: skip
    Referral.create(inquiry=resolved, from_staff=clerk, to_service=service["B"],
                    note="转业务B核实", at=utc("2026-11-26 01:20"))  # fmt: skip
    Inquiry.create(unit=t, owner=clerk2, ticket=second, matter="咨询优抚政策",
                   visitor_name="王五", created_at=utc("2026-11-10 06:00"))  # fmt: skip
    Inquiry.create(unit=t, owner=clerk, matter="十月的咨询", created_at=utc("2026-10-20 02:00"))
    Inquiry.create(unit=u, owner=bureau["boss-u"], matter="U 大厅的咨询",
                   created_at=utc("2026-11-12 02:00"))  # fmt: skip

    late = Case.create(
        number="T-20261120-001", unit=t, service=service["A"], counter=window[1], staff=clerk,
        visitor_name="李四", visitor_phone="13987654321", matter="临时救助申请",
        accepted_at=utc("2026-11-20 02:00"), accepted_day=date(2026, 11, 20), time_limit_days=3,
        extended_days=0, due_day=date(2026, 11, 25),
    )  # fmt: skip
    CaseExtension.create(case=late, days=2, reason="材料需外调", requested_by=clerk,
                         requested_at=utc("2026-11-24 02:00"))  # fmt: skip
    Case.create(
        number="T-20261001-001", unit=t, service=service["B"], counter=window[2], staff=clerk2,
        matter="十月受理、十一月办结", status="completed", accepted_at=utc("2026-10-01 02:00"),
        accepted_day=date(2026, 10, 1), time_limit_days=10, due_day=date(2026, 10, 15),
        completed_at=utc("2026-11-05 08:00"),
    )  # fmt: skip
    Case.create(
        number="T-20260901-001", unit=t, service=service["A"], staff=clerk, matter="九月的",
        status="completed", accepted_at=utc("2026-09-01 02:00"), accepted_day=date(2026, 9, 1),
        time_limit_days=1, due_day=date(2026, 9, 2), completed_at=utc("2026-09-02 02:00"),
    )  # fmt: skip

    bad = Rating.create(
        ticket=first, unit=t, counter=window[1], staff=clerk, level=1, source="tablet",
        device="tablet-t-1", efficiency=2, competence=3, attitude=1,
        reasons=json.dumps(["attitude", "long_wait"]), reason=FORMULA,
        callback_phone="13800001111", at=utc("2026-11-26 01:40"),
    )  # fmt: skip
    Rectification.create(
        rating=bad, unit=t, staff=clerk, status="rectified", opened_at=bad.at,
        due_day=date(2026, 12, 3), reviewer=boss, rectified_at=utc("2026-11-26 03:00"),
        rectified_by=clerk, rectify_note="已向群众致歉，学习文明用语",
    )  # fmt: skip
    Rating.create(ticket=second, unit=t, counter=window[2], staff=clerk2, level=5,
                  source="phone", at=utc("2026-11-12 03:00"))  # fmt: skip
    Rating.create(ticket=third, unit=t, counter=window[1], staff=clerk, level=4,
                  at=utc("2026-10-31 15:59"))  # 23:59 on 31 October in Shanghai  # fmt: skip

    visit = Inspection.create(
        unit=t, counter=window[2], staff=clerk2, inspector=inspector, kind="unannounced",
        visited_on=date(2026, 11, 20), summary="暗访两个窗口", created_at=utc("2026-11-20 03:00"),
    )  # fmt: skip
    Finding.create(inspection=visit, category="cold", description="接待群众态度冷淡")
    Finding.create(inspection=visit, category="other", description="窗口桌面杂乱",
                   counter=window[1], staff=clerk)  # fmt: skip
    Inspection.create(unit=t, inspector=inspector, visited_on=date(2026, 11, 21),
                      summary="例行检查，未发现问题", created_at=utc("2026-11-21 03:00"))  # fmt: skip
    Notice.create(
        number="TB-2026-001", unit=t, inspection=visit, title="关于窗口服务态度问题的通报",
        body="限期整改", deadline=date(2026, 11, 25), published_at=utc("2026-11-20 04:00"),
        published_by=inspector,
    )  # fmt: skip
    return bureau


def register(client, kind: str, query: str = NOVEMBER):
    answer = client.get(f"/api/admin/registers/{kind}?{query}")
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def records(table: dict) -> list[dict]:
    """The rows of a register as {column name: cell}."""
    names = [column["name"] for column in table["columns"]]
    for row in table["rows"]:
        assert len(row) == len(names)
    return [dict(zip(names, row, strict=True)) for row in table["rows"]]


def column(client, kind: str, name: str, query: str = NOVEMBER) -> list:
    return [row[name] for row in records(register(client, kind, query))]


# --- the rows -------------------------------------------------------------------------


def test_first_inquiries_received_or_resolved_in_the_period(hall, as_user):
    table = register(as_user("boss-t"), "inquiries")
    assert table["total"] == 2 and table["shown"] == 2 and table["timezone"] == "Asia/Shanghai"
    later, earlier = records(table)[1], records(table)[0]
    assert earlier["matter"] == "咨询优抚政策" and earlier["received_at"] == "2026-11-10 14:00"
    assert earlier["window"] == "2号窗口" and earlier["status"] == "办理中"
    assert later == {
        "no": 2, "received_at": "2026-11-26 09:05", "unit": "测试大厅T", "window": "1号窗口",
        "service": "A 业务A", "owner": "员工clerk（CLERK）", "visitor": "张小三",
        "phone": "13812345678", "organisation": "和平社区", "matter": "咨询低保申请材料",
        "status": "已办结", "visits": 1, "outcome": "已一次性告知",
        "resolved_at": "2026-11-26 09:35",
        "referrals": "2026-11-26 09:20 员工clerk（CLERK）→B 业务B（转业务B核实）",
    }  # fmt: skip


def test_promised_cases_accepted_completed_or_due_in_the_period(hall, as_user):
    rows = records(register(as_user("boss-t"), "cases"))
    assert [r["number"] for r in rows] == ["T-20261001-001", "T-20261120-001"]
    done, late = rows
    assert done["accepted_at"] == "2026-10-01 10:00" and done["completed_at"] == "2026-11-05 16:00"
    assert done["timeliness"] == "逾期办结" and done["status"] == "已办结"
    assert late["timeliness"] == "逾期未办结" and late["due_day"] == "2026-11-25"
    assert late["extensions"] == "+2天 待审批（材料需外调）" and late["window"] == "1号窗口"
    assert late["staff"] == "员工clerk（CLERK）" and late["time_limit"] == 3


def test_ratings_with_their_rectification(hall, as_user):
    rows = records(register(as_user("boss-t"), "ratings"))
    assert [r["rated_at"] for r in rows] == ["2026-11-12 11:00", "2026-11-26 09:40"]
    good, bad = rows
    assert good["level"] == "非常满意" and good["channel"] == "手机扫码"
    assert good["rectification"] == "" and good["efficiency"] == ""
    assert bad["ticket"].startswith("A") and bad["window"] == "1号窗口"
    assert (bad["level"], bad["efficiency"], bad["competence"], bad["attitude"]) == (
        "非常不满意", "不满意", "基本满意", "非常不满意",
    )  # fmt: skip
    # The labels of config/default.toml's [RATING] REASONS.
    assert bad["reasons"] == "态度生硬、等候时间长" and bad["words"] == FORMULA
    assert bad["channel"] == "窗口评价器" and bad["device"] == "tablet-t-1"
    assert bad["callback_phone"] == "13800001111" and bad["counted"] == "是"
    assert bad["rectification"] == "待核实" and bad["rectify_due"] == "2026-12-03"
    assert bad["rectify_overdue"] == "否" and bad["reviewer"] == "员工boss-t（BOSS-T）"
    assert bad["rectified"] == "员工clerk（CLERK） 2026-11-26 11:00"
    assert bad["rectify_note"] == "已向群众致歉，学习文明用语" and bad["verified"] == ""


def test_inspections_one_row_per_finding_and_notices(hall, as_user):
    boss = as_user("boss-t")
    rows = records(register(boss, "inspections"))
    assert [(r["visited_on"], r["category"], r["window"], r["staff"]) for r in rows] == [
        ("2026-11-20", "冷（态度冷漠）", "2号窗口", "员工clerk2（CLERK2）"),
        ("2026-11-20", "其他", "1号窗口", "员工clerk（CLERK）"),
        ("2026-11-21", "", "", ""),
    ]
    assert rows[0]["kind"] == "暗访" and rows[0]["notices"] == "TB-2026-001"
    (notice,) = records(register(boss, "notices"))
    assert notice["number"] == "TB-2026-001" and notice["published_at"] == "2026-11-20 12:00"
    assert notice["status"] == "待整改" and notice["overdue"] == "是"
    assert notice["inspection"] == "2026-11-20 2号窗口 员工clerk2（CLERK2）"


def test_no_time_on_a_register_is_utc(hall, as_user):
    boss = as_user("boss-t")
    for kind in REGISTERS:
        text = json.dumps(register(boss, kind), ensure_ascii=False)
        assert not re.search(r"\d{2}:\d{2}:\d{2}|T\d{2}:\d{2}|Z\"|UTC", text), kind


# --- filters ---------------------------------------------------------------------------


def test_filtered_by_window(hall, as_user):
    boss = as_user("boss-t")
    window1 = NOVEMBER + "&window=1"
    assert column(boss, "inquiries", "matter", window1) == ["咨询低保申请材料"]
    assert column(boss, "cases", "number", window1) == ["T-20261120-001"]
    assert column(boss, "ratings", "level", window1) == ["非常不满意"]
    # The inspection named window 2; one of its findings named window 1 instead.
    assert column(boss, "inspections", "category", window1) == ["其他"]
    assert column(boss, "inspections", "category", NOVEMBER + "&window=2") == ["冷（态度冷漠）"]
    # A notice concerns each window its inspection or a finding of it named.
    assert column(boss, "notices", "number", window1) == ["TB-2026-001"]


def test_filtered_by_person(hall, as_user):
    boss = as_user("boss-t")
    clerk2 = NOVEMBER + "&staff=clerk2"
    assert column(boss, "inquiries", "matter", clerk2) == ["咨询优抚政策"]
    assert column(boss, "cases", "number", clerk2) == ["T-20261001-001"]
    assert column(boss, "ratings", "level", clerk2) == ["非常满意"]
    assert column(boss, "inspections", "category", clerk2) == ["冷（态度冷漠）"]
    assert column(boss, "notices", "number", NOVEMBER + "&staff=boss-t") == []


def test_filtered_by_period_in_the_halls_days(hall, as_user):
    boss = as_user("boss-t")
    october = "month=2026-10"
    # 23:59 on 31 October in Shanghai is October's, though it is 15:59 UTC.
    assert column(boss, "ratings", "rated_at", october) == ["2026-10-31 23:59"]
    assert column(boss, "inquiries", "matter", october) == ["十月的咨询"]
    assert column(boss, "cases", "number", october) == ["T-20261001-001"]
    assert column(boss, "inspections", "no", october) == []
    one_day = "from=2026-11-26&to=2026-11-26"
    assert column(boss, "ratings", "level", one_day) == ["非常不满意"]


def test_the_bureau_sees_every_hall_and_may_choose_one(hall, as_user):
    admin = as_user("admin")
    assert set(column(admin, "inquiries", "unit")) == {"测试大厅T", "测试大厅U"}
    assert column(admin, "inquiries", "unit", NOVEMBER + "&unit=U") == ["测试大厅U"]


def test_inspections_and_notices_are_about_no_service(hall, as_user):
    boss = as_user("boss-t")
    assert column(boss, "cases", "number", NOVEMBER + "&service=B") == ["T-20261001-001"]
    assert_error(boss.get(f"/api/admin/registers/notices?{NOVEMBER}&service=A"), 400)


# --- who sees what ----------------------------------------------------------------------


def test_the_units_manager_sees_contacts_others_see_them_masked(hall, as_user):
    boss = register(as_user("boss-t"), "inquiries", NOVEMBER + "&window=1")
    assert boss["contacts"] == "full"
    assert (records(boss)[0]["visitor"], records(boss)[0]["phone"]) == ("张小三", "13812345678")
    for login in ("admin", "inspector"):
        client = as_user(login)
        table = register(client, "inquiries", NOVEMBER + "&unit=T&window=1")
        assert table["contacts"] == "masked"
        assert (records(table)[0]["visitor"], records(table)[0]["phone"]) == (
            "张*三",
            "138****5678",
        )
        cases = records(register(client, "cases", NOVEMBER + "&unit=T&window=1"))
        assert (cases[0]["visitor"], cases[0]["phone"]) == ("李*", "139****4321")
        ratings = records(register(client, "ratings", NOVEMBER + "&unit=T&window=1"))
        assert ratings[0]["callback_phone"] == "138****1111"
        assert register(client, "notices", NOVEMBER + "&unit=T")["contacts"] is None


def test_a_stranger_is_asked_to_sign_in(hall, client):
    assert_error(client.get(f"/api/admin/registers/ratings?{NOVEMBER}"), 401)
    page = client.get(f"/admin/registers/ratings?{NOVEMBER}")
    assert page.status_code == 302 and "/admin/login" in page.headers["Location"]
    assert client.get(f"/admin/registers/ratings.csv?{NOVEMBER}").status_code == 302


def test_window_staff_and_another_halls_manager_are_refused(hall, as_user):
    clerk = as_user("clerk")
    assert_error(clerk.get(f"/api/admin/registers/ratings?{NOVEMBER}"), 403)
    assert clerk.get(f"/admin/registers/ratings?{NOVEMBER}").status_code == 403
    other = as_user("boss-u")
    for kind in REGISTERS:
        assert_error(other.get(f"/api/admin/registers/{kind}?{NOVEMBER}&unit=T"), 403)
    assert other.get(f"/admin/registers/cases.xlsx?{NOVEMBER}&unit=T").status_code == 403
    # Their own register holds their own hall's rows only.
    assert column(other, "inquiries", "unit") == ["测试大厅U"]


@pytest.mark.parametrize(
    "query",
    ["page=0", "page=abc", "window=abc", "from=2026-11-30&to=2026-11-01", "staff=nobody",
     "year=0", "from=2026-13-01"],
)  # fmt: skip
def test_a_page_or_filter_that_cannot_be_is_a_polite_400(hall, as_user, query):
    assert_error(as_user("boss-t").get(f"/api/admin/registers/cases?{query}"), 400)


def test_an_unknown_register_is_a_404(hall, as_user):
    assert_error(as_user("boss-t").get("/api/admin/registers/services"), 404)
    assert as_user("boss-t").get("/admin/registers/services").status_code == 404


# --- the page and its files -------------------------------------------------------------


class TableReader(HTMLParser):
    """Collect the text of each body row of the page's #register-table."""

    def __init__(self):
        super().__init__()
        self.rows, self.header, self._in, self._cell, self._head = [], [], False, None, False

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("id", "register-table") in attrs:
            self._in = True
        elif self._in and tag == "thead":
            self._head = True
        elif self._in and tag == "tr" and not self._head:
            self.rows.append([])
        elif self._in and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._in = False
        elif tag == "thead":
            self._head = False
        elif self._in and tag in ("td", "th") and self._cell is not None:
            (self.header if self._head else self.rows[-1]).append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_rows(client, kind: str, query: str) -> list[list[str]]:
    page = client.get(f"/admin/registers/{kind}?{query}")
    assert page.status_code == 200
    reader = TableReader()
    reader.feed(page.get_data(as_text=True))
    return reader.rows


def csv_rows(client, kind: str, query: str) -> tuple[list[list[str]], list[list[str]]]:
    """The lines above a CSV's table, and the table's rows."""
    answer = client.get(f"/admin/registers/{kind}.csv?{query}")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(answer.get_data().decode("utf-8-sig"))))
    start = next(n for n, line in enumerate(lines) if line and line[0] == "序号 / No.")
    return lines[:start], lines[start + 1 :]


def xlsx_rows(client, kind: str, query: str) -> list[list]:
    answer = client.get(f"/admin/registers/{kind}.xlsx?{query}")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.get_data())).active
    lines = list(sheet.iter_rows())
    start = next(n for n, line in enumerate(lines) if line[0].value == "序号 / No.")
    return [list(line) for line in lines[start + 1 :]]


def as_text(value) -> str:
    return "" if value is None else str(value)


@pytest.mark.parametrize("kind", list(REGISTERS))
@pytest.mark.parametrize("login", ["boss-t", "inspector"])
def test_the_exports_hold_the_rows_of_the_page(hall, as_user, kind, login):
    client = as_user(login)
    query = NOVEMBER + "&unit=T"
    page = page_rows(client, kind, query)
    assert page, "the hall has rows in every register"
    heading, from_csv = csv_rows(client, kind, query)
    from_xlsx = [[as_text(cell.value) for cell in line] for line in xlsx_rows(client, kind, query)]
    from_json = [[as_text(v) for v in row] for row in register(client, kind, query)["rows"]]
    assert page == from_json == from_xlsx
    # A CSV has no types: text a spreadsheet would run is written after an apostrophe.
    assert from_csv == [["'" + c if c.startswith(("=", "+", "-", "@")) else c for c in r]
                        for r in page]  # fmt: skip
    assert ["统计期间 / Period", "2026-11-01", "2026-11-30"] in heading
    assert ["生成时间 / Generated", "2026-11-26 10:00 (Asia/Shanghai)"] in heading


def test_a_visitors_formula_stays_text(hall, as_user):
    client = as_user("boss-t")
    query = NOVEMBER + "&window=1"
    _heading, from_csv = csv_rows(client, "ratings", query)
    assert "'" + FORMULA in from_csv[0]
    words = next(c for c in xlsx_rows(client, "ratings", query)[0] if c.value == FORMULA)
    assert words.data_type == "s" and words.quotePrefix


def test_the_file_is_named_for_its_register_and_scope(hall, as_user):
    answer = as_user("boss-t").get(f"/admin/registers/ratings.xlsx?{NOVEMBER}&window=1")
    disposition = answer.headers["Content-Disposition"]
    assert 'filename="qhall-ratings_T_W1_2026-11-01_2026-11-30.xlsx"' in disposition


def test_a_long_register_is_paged_and_says_how_many_it_shows(hall, as_user, monkeypatch):
    monkeypatch.setattr(register_views, "PAGE_SIZE", 2)
    monkeypatch.setattr(register_views, "EXPORT_LIMIT", 2)
    client = as_user("boss-t")
    first = register(client, "inspections")
    assert (first["total"], first["shown"], first["offset"]) == (3, 2, 0)
    second = register(client, "inspections", NOVEMBER + "&page=2")
    assert (second["shown"], second["offset"], second["rows"][0][0]) == (1, 2, 3)
    page = client.get(f"/admin/registers/inspections?{NOVEMBER}").get_data(as_text=True)
    assert "显示第 1–2 条，共 3 条" in page and 'rel="next"' in page
    heading, rows = csv_rows(client, "inspections", NOVEMBER)
    assert len(rows) == 2 and any(
        "仅含前 2 条，共 3 条" in cell for line in heading for cell in line
    )


def test_the_page_links_its_exports_and_the_other_registers(hall, as_user):
    page = as_user("boss-t").get(f"/admin/registers/cases?{NOVEMBER}&window=1")
    text = page.get_data(as_text=True)
    assert "/admin/registers/cases.csv?" in text and "window=1" in text
    assert "/admin/registers/notices?" in text and 'aria-current="page"' in text
    assert "逐项台账" in text  # the admin frame's link


def test_the_ledger_export_is_dated_in_the_halls_time(hall, as_user):
    text = as_user("boss-t").get(f"/admin/ledger.csv?{NOVEMBER}").get_data().decode("utf-8-sig")
    assert "生成时间 / Generated,2026-11-26 10:00 (Asia/Shanghai)" in text
    assert "UTC" not in text


def test_every_register_route_is_in_the_openapi_document(app, client):
    documented = {
        (path, method.upper())
        for path, operations in client.get("/api/openapi.json").get_json()["paths"].items()
        for method in operations
    }
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if view.__module__ != register_views.__name__ or not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, f"{method} {path}"
    assert ("/api/admin/registers/{kind}", "GET") in documented
