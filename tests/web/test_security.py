"""Security headers on every answer, and no acting with a staff member's session from another
site."""

from __future__ import annotations

from tests.factories import assert_error


def test_pages_and_answers_carry_security_headers(client, two_halls):
    for path in ("/", "/api/units", "/no-such-page"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_another_site_cannot_act_with_a_staff_members_session(staff_client, two_halls):
    call = "/api/units/T/counters/1/open"
    assert_error(staff_client.post(call, headers={"Origin": "http://evil.example"}), 403)
    assert_error(staff_client.post(call, headers={"Referer": "http://evil.example/page"}), 403)
    assert_error(staff_client.post(call, headers={"Sec-Fetch-Site": "cross-site"}), 403)
    # The hall's own pages, and programs that send no Origin, go through.
    own = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
    assert staff_client.post(call, headers=own).status_code == 200
    assert staff_client.post("/api/units/T/counters/1/close").status_code == 200
    # A visitor taking a ticket has no session to abuse: the kiosk may be anywhere.
    assert (
        staff_client.application.test_client()
        .post(
            "/api/units/T/tickets",
            json={"service": "A"},
            headers={"Origin": "http://kiosk.example"},
        )
        .status_code
        == 201
    )
