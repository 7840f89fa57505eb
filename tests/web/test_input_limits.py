"""What a stranger can send is bounded: a body's size, a string's length, a number's size,
a body's depth, a report's years; names and free text keep no control or bidi characters."""

from __future__ import annotations

import io

import pytest

from qhall.inputs import clean_name, clean_text
from qhall.models import Inquiry, LoginFailure, Staff, Ticket
from tests.factories import assert_error, gen_staff, sign_in

TICKETS = "/api/units/T/tickets"
RLO, NUL = "\u202e", "\x00"


def test_a_body_over_the_limit_is_a_413_and_nothing_is_recorded(client, two_halls):
    body = '{"service": "A", "pad": "' + "x" * 1024 * 1024 + '"}'
    answer = client.post(TICKETS, data=body, content_type="application/json")
    assert assert_error(answer, 413)["error"] == "too_large"
    assert "256 KiB" in answer.get_json()["message_en"]
    assert Ticket.select().count() == 0


def test_a_chunked_body_stops_at_the_limit(client, two_halls):
    # No Content-Length: the server marks the input as ending by itself, and Werkzeug
    # reads no more than the limit from it.
    body = b'{"service": "A", "pad": "' + b"x" * 1024 * 1024 + b'"}'
    answer = client.post(
        TICKETS,
        input_stream=io.BytesIO(body),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert_error(answer, 413)
    assert Ticket.select().count() == 0


def test_a_body_within_the_limit_still_goes_through(client, two_halls):
    answer = client.post(TICKETS, json={"service": "A", "pad": "x" * 200 * 1024})
    assert answer.status_code == 201, answer.get_json()


def test_the_limit_is_a_setting(app, client, two_halls):
    app.config["MAX_CONTENT_LENGTH"] = 100
    assert_error(client.post(TICKETS, json={"service": "A", "pad": "x" * 200}), 413)


def test_a_long_login_is_refused_before_anything_is_kept(client, two_halls):
    before = LoginFailure.select().count()
    body = assert_error(
        client.post("/api/session", json={"login": "x" * 5000, "password": "x"}), 400
    )
    assert body["field"] == "login" and "2000" in body["message_en"]
    # Five megabytes do not even reach the check: the body is over the size limit.
    huge = {"login": "x" * 5 * 1024 * 1024, "password": "x"}
    assert_error(client.post("/api/session", json=huge), 413)
    assert LoginFailure.select().count() == before


def test_a_name_longer_than_a_name_is_refused(staff_client):
    answer = staff_client.post(
        "/api/units/T/inquiries", json={"matter": "咨询低保", "visitor_name": "王" * 101}
    )
    assert assert_error(answer, 400)["field"] == "visitor_name"
    assert Inquiry.select().count() == 0


@pytest.mark.parametrize("number", [2**31, 2**80, -(2**80)])
def test_a_huge_number_in_a_body_is_a_400(staff_client, number):
    answer = staff_client.post("/api/units/T/counters/1/transfer", json={"to_window": number})
    assert "out of range" in assert_error(answer, 400)["message_en"]


@pytest.mark.parametrize("number", ["1e999", "9" * 5000, "NaN", "-Infinity"])
def test_a_number_json_cannot_hold_is_a_400(staff_client, number):
    answer = staff_client.post(
        "/api/units/T/counters/1/transfer",
        data=f'{{"to_window": {number}}}',
        content_type="application/json",
    )
    assert_error(answer, 400)


@pytest.mark.parametrize("number", [2**31, 2**80])
def test_a_huge_number_in_a_path_is_a_404(client, two_halls, number):
    assert_error(client.get(f"/api/print-jobs/{number}"), 404)


@pytest.mark.parametrize("depth", [33, 1000, 10_000])
def test_a_deeply_nested_body_is_a_400(client, two_halls, depth):
    nested = "[" * depth + "]" * depth
    answer = client.post(TICKETS, data=f'{{"service": {nested}}}', content_type="application/json")
    assert assert_error(answer, 400)["message_en"] == "The request body is nested too deeply."
    answer = client.post(TICKETS, data=nested, content_type="application/json")
    assert_error(answer, 400)
    assert Ticket.select().count() == 0


def test_a_body_as_deep_as_a_form_needs_is_read(client, two_halls):
    nested = "[" * 30 + "]" * 30
    answer = client.post(TICKETS, data=f'{{"service": "A", "x": {nested}}}', content_type="application/json")  # fmt: skip
    assert answer.status_code == 201, answer.get_json()


REPORTS = ["/api/admin/ledger", "/api/admin/registers/cases", "/admin/ledger",
           "/admin/ledger.csv", "/admin/summary", "/admin/registers/cases.xlsx"]  # fmt: skip


@pytest.mark.parametrize(
    "query",
    ["year=99999", "year=9999", "year=1", "month=9999-12", "month=0001-01", "from=0001-01-01",
     "from=0001-01-01&to=0001-01-31", "from=9999-12-01&to=9999-12-31", "to=9999-12-31"],
)  # fmt: skip
def test_a_report_out_of_the_years_is_a_400(client, two_halls, query):
    gen_staff("boss", None, role="admin")
    boss = sign_in(client, "boss")
    for path in REPORTS:
        answer = boss.get(f"{path}?{query}")
        assert answer.status_code == 400, (path, answer.get_data(as_text=True)[:300])


def test_rankings_of_any_month_are_no_500(client, two_halls):
    gen_staff("boss", None, role="admin")
    boss = sign_in(client, "boss")
    for month in ("9999-12", "0001-01", "9998-12", "1970-01"):
        for path in ("/api/admin/rankings", "/admin/rankings"):
            assert boss.get(f"{path}?unit=T&month={month}").status_code in (200, 400)


def test_a_visitors_name_loses_nul_and_bidi_overrides(staff_client):
    answer = staff_client.post(
        "/api/units/T/inquiries",
        json={"matter": f"咨询{NUL}低保\n第二行", "visitor_name": f"王{NUL}小{RLO}明\u2066",
              "organisation": "民政\u200f局"},
    )  # fmt: skip
    assert answer.status_code == 201, answer.get_json()
    inquiry = Inquiry.get()
    assert inquiry.visitor_name == "王小明" and inquiry.organisation == "民政局"
    assert inquiry.matter == "咨询低保\n第二行"  # free text keeps its line breaks


def test_a_staff_name_loses_nul_and_bidi_overrides(client, two_halls):
    gen_staff("boss", None, role="admin")
    answer = sign_in(client, "boss").post(
        "/api/admin/config/staff",
        json={"unit": "T", "fields": {"login": "new", "name": f"新{NUL}同{RLO}事\n",
                                      "role": "staff", "password": "secret-pass-1"}},
    )  # fmt: skip
    assert answer.status_code == 200, answer.get_json()
    assert Staff.get(Staff.login == "new").name == "新同事"


def test_free_text_keeps_tabs_and_line_breaks_but_no_other_control():
    assert clean_text("a\tb\r\nc\x07\x1b[31m\x85d\u2067", "说明") == "a\tb\nc[31md"
    assert clean_name(" 王\t小\n明\u061c\u200e ", "姓名") == "王 小 明"


def test_a_refused_body_is_thrown_away_in_large_pieces_not_left_to_gunicorn():
    # gunicorn skips an unread body 1 KiB at a time, copying the rest of its buffer at each
    # step: a few refused 1 MB bodies held the one worker, and the whole hall, for seconds.
    import io

    from qhall.web.errors import DISCARD_PIECE, discard_refused_body

    class Recording(io.BytesIO):
        def __init__(self, data: bytes) -> None:
            super().__init__(data)
            self.sizes: list[int] = []

        def read(self, size=-1):
            self.sizes.append(size)
            return super().read(size)

    stream = Recording(b"x" * (1024 * 1024))
    discard_refused_body({"wsgi.input": stream})
    assert min(stream.sizes) >= DISCARD_PIECE and len(stream.sizes) <= 6
    assert stream.tell() == 1024 * 1024  # nothing left for gunicorn to skip
