"""The kiosk's routes: its page, printing a ticket once, the staff's reprint, the ticket's
picture, the phone page and its QR code."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from qhall.models import PrintJob, Unit
from tests.factories import PASSWORD, gen_staff, gen_unit, take_ticket, use_printers

K1 = {"X-Device-Token": "kiosk-k1-secret-0123456789"}
K2 = {"X-Device-Token": "kiosk-k2-secret-0123456789"}


def kiosk_ticket(client, kiosk: dict, unit: str = "T") -> dict:
    """Take a ticket of service A at a registered kiosk; return the issued ticket."""
    response = client.post(f"/api/units/{unit}/tickets", json={"service": "A"}, headers=kiosk)
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def hall(app, fake_printer):
    unit = gen_unit("T")
    use_printers(
        app,
        [
            {"name": "t-kiosk", "unit": "T", **fake_printer.config},
            {
                "name": "t-window-1",
                "unit": "T",
                **fake_printer.config,
                "width": 384,
                "profile": "POS-5890",
            },
        ],
        [
            {"name": "k1", "unit": "T", "printer": "t-kiosk", "token": K1["X-Device-Token"]},
            {"name": "k2", "unit": "T", "token": K2["X-Device-Token"]},
        ],
    )
    return unit


def test_the_kiosk_page_names_its_hall_and_printer(client, hall):
    page = client.get("/kiosk/T?kiosk=k1").get_data(as_text=True)
    assert "测试大厅T" in page
    assert 'data-printer="t-kiosk"' in page and 'data-kiosk="k1"' in page
    assert "<script>" not in page and "onclick" not in page  # no inline script (CSP later)
    assert 'data-printer=""' in client.get("/kiosk/T?kiosk=k2").get_data(as_text=True)


def test_an_unknown_kiosk_is_not_found(client, hall):
    assert client.get("/kiosk/T?kiosk=nope").status_code == 404
    assert client.get("/kiosk/NOPE").status_code == 404


def test_a_kiosk_prints_a_ticket_once_however_often_it_asks(client, hall):
    ticket = kiosk_ticket(client, K1)
    url = f"/api/tickets/{ticket['token']}/print"
    first = client.post(url, json={"kiosk": "k1"}, headers=K1)
    again = client.post(url, json={"kiosk": "k1"}, headers=K1)
    assert first.status_code == again.status_code == 202
    assert first.json["job"]["id"] == again.json["job"]["id"]
    job = client.get(f"/api/print-jobs/{first.json['job']['id']}", headers=K1).json
    assert (job["printer"], job["kind"], job["status"]) == ("t-kiosk", "ticket", "pending")
    assert job["ref"].endswith("/A001")
    assert ticket["token"] not in str(job)  # the token stays with the visitor


def test_a_kiosk_without_a_printer_cannot_print(client, hall):
    ticket = kiosk_ticket(client, K2)
    response = client.post(
        f"/api/tickets/{ticket['token']}/print", json={"kiosk": "k2"}, headers=K2
    )
    assert response.status_code == 409
    assert response.json["message"] == "本机没有可用的打印机。"


def test_only_staff_reprint_on_a_named_printer(client, hall):
    ticket = take_ticket(client)
    url = f"/api/tickets/{ticket['token']}/print"
    assert client.post(url, json={"printer": "t-window-1"}).status_code == 401
    gen_staff("clerk", hall)
    client.post("/api/session", json={"login": "clerk", "password": PASSWORD})
    headers = {"Idempotency-Key": "reprint-0001"}
    first = client.post(url, json={"printer": "t-window-1"}, headers=headers)
    again = client.post(url, json={"printer": "t-window-1"}, headers=headers)
    second = client.post(
        url, json={"printer": "t-window-1"}, headers={"Idempotency-Key": "reprint-0002"}
    )
    assert first.status_code == 202 and first.json["job"]["kind"] == "reprint"
    assert first.json["job"]["id"] == again.json["job"]["id"] != second.json["job"]["id"]
    assert client.post(url, json={"printer": "nope"}).status_code == 404


def test_a_ticket_prints_only_in_its_own_hall(client, hall, app, fake_printer):
    gen_unit("U")
    use_printers(
        app,
        [{"name": "u-kiosk", "unit": "U", **fake_printer.config}],
        [
            {"name": "k1", "unit": "T", "printer": "t-kiosk", "token": K1["X-Device-Token"]},
            {"name": "ku", "unit": "U", "printer": "u-kiosk", "token": "kiosk-ku-secret-0123"},
        ],
    )
    ticket = kiosk_ticket(client, K1)
    response = client.post(
        f"/api/tickets/{ticket['token']}/print",
        json={"kiosk": "ku"},
        headers={"X-Device-Token": "kiosk-ku-secret-0123"},
    )
    assert response.status_code == 409
    assert PrintJob.select().count() == 0


@pytest.mark.parametrize("width", [384, 576])
def test_the_ticket_picture_is_what_prints(client, hall, width):
    ticket = client.post(
        "/api/units/T/tickets", json={"service": "A", "priority": "elderly"}, headers=K1
    ).json
    response = client.get(f"/api/tickets/{ticket['token']}/ticket.png?width={width}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert image.mode == "1" and image.width == width


def test_the_ticket_picture_needs_a_real_ticket_and_paper(client, hall):
    ticket = take_ticket(client)
    assert client.get(f"/api/tickets/{ticket['token']}/ticket.png?width=500").status_code == 400
    assert client.get("/api/tickets/nope/ticket.png").status_code == 404


def test_the_phone_page_shows_the_ticket(client, hall):
    ticket = take_ticket(client)
    page = client.get(f"/t/{ticket['token']}").get_data(as_text=True)
    assert "A001" in page and "业务A" in page and 'data-unit="T"' in page
    missing = client.get("/t/not-a-ticket")
    assert missing.status_code == 404
    assert "没有找到这张票" in missing.get_data(as_text=True)


def test_the_qr_code_leads_to_the_phone_page(client, hall, app):
    ticket = take_ticket(client)
    svg = client.get(f"/t/{ticket['token']}/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert client.get("/t/nope/qr.svg").status_code == 404


def test_the_snapshot_tells_each_printers_status(client, hall, clock):
    from printer import jobs

    jobs.set_status("t-kiosk", "T", "paper_out", clock.now())
    printers = client.get("/api/units/T/snapshot").json["printers"]
    assert printers == [{"name": "t-kiosk", "status": "paper_out", "since": "2026-11-26T02:00:00Z"}]


def test_the_printing_routes_are_documented(client, hall):
    paths = client.get("/api/openapi.json").json["paths"]
    for path in (
        "/api/tickets/{token}/print",
        "/api/print-jobs/{job_id}",
        "/api/tickets/{token}/ticket.png",
    ):
        assert path in paths


def test_a_window_reprints_the_ticket_in_hand_on_its_own_printer(client, hall, fake_printer):
    from qhall.models import Counter

    url = "/api/units/T/counters/1/reprint"
    assert client.post(url).status_code == 401
    gen_staff("clerk", hall)
    client.post("/api/session", json={"login": "clerk", "password": PASSWORD})
    take_ticket(client)  # at the window: a phone's ticket would wait to check in first
    client.post("/api/units/T/counters/1/open")
    assert client.post(url).status_code == 409  # nothing in hand yet
    client.post("/api/units/T/counters/1/call-next")
    assert client.post(url).json["message"] == "本窗口没有配置打印机。"
    Counter.update(printer="t-window-1").where(Counter.window == 1).execute()
    response = client.post(url, headers={"Idempotency-Key": "window-reprint-1"})
    assert response.status_code == 202
    job = response.json["job"]
    assert (job["printer"], job["kind"], job["ref"].endswith("/A001")) == (
        "t-window-1",
        "reprint",
        True,
    )
    assert (
        client.post(url, headers={"Idempotency-Key": "window-reprint-1"}).json["job"]["id"]
        == job["id"]
    )


def test_no_one_but_the_kiosk_or_staff_prints_a_ticket_or_reads_its_job(client, hall):
    ticket = kiosk_ticket(client, K1)
    url = f"/api/tickets/{ticket['token']}/print"
    assert client.post(url, json={"kiosk": "k1"}).status_code == 401
    assert client.post(url, json={"kiosk": "k1"}, headers=K2).status_code == 401  # not k1
    wrong = {"X-Device-Token": "kiosk-k1-secret-guess"}
    assert client.post(url, json={"kiosk": "k1"}, headers=wrong).status_code == 401
    assert PrintJob.select().count() == 0
    job = client.post(url, json={"kiosk": "k1"}, headers=K1).json["job"]
    assert client.get(f"/api/print-jobs/{job['id']}").status_code == 401
    assert client.get(f"/api/print-jobs/{job['id']}", headers=K2).status_code == 401
    assert client.get(f"/api/print-jobs/{job['id']}", headers=K1).status_code == 200
    assert client.get("/api/print-jobs/999").status_code == 401  # not even a 404
    assert client.get("/api/print-jobs/999", headers=K1).status_code == 404


def test_a_kiosk_prints_no_phones_ticket(client, hall):
    ticket = take_ticket(client)  # from outside the hall
    response = client.post(
        f"/api/tickets/{ticket['token']}/print", json={"kiosk": "k1"}, headers=K1
    )
    assert response.status_code == 403
    assert PrintJob.select().count() == 0


def test_staff_of_the_hall_print_on_its_kiosk_and_read_the_job(client, hall):
    gen_unit("U")
    other = client.application.test_client()
    gen_staff("stranger", Unit.get(Unit.code == "U"))
    other.post("/api/session", json={"login": "stranger", "password": PASSWORD})
    ticket = take_ticket(client)
    url = f"/api/tickets/{ticket['token']}/print"
    assert other.post(url, json={"kiosk": "k1"}).status_code == 403
    gen_staff("clerk", hall)
    client.post("/api/session", json={"login": "clerk", "password": PASSWORD})
    answer = client.post(url, json={"kiosk": "k1"})
    assert answer.status_code == 202
    job_url = f"/api/print-jobs/{answer.json['job']['id']}"
    assert client.get(job_url).status_code == 200
    assert other.get(job_url).status_code == 403
    assert PrintJob.select().count() == 1


def test_a_device_token_beyond_ascii_prints_nothing(client, hall):
    ticket = kiosk_ticket(client, K1)
    odd = {"X-Device-Token": "kiosk-k1-secret-é"}
    url = f"/api/tickets/{ticket['token']}/print"
    assert client.post(url, json={"kiosk": "k1"}, headers=odd).status_code == 401
    assert client.get("/api/print-jobs/1", headers=odd).status_code == 401
    assert PrintJob.select().count() == 0
