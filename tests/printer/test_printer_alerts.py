"""A printer that stops reaches the windows of its own hall: their staff connections hear
its status change (the counter page shows a banner from it), and another hall's do not."""

from __future__ import annotations

import pytest

from qhall.web.realtime import socketio
from tests.factories import gen_staff, gen_unit, make_spooler, sign_in, use_printers

PRINTER = "t-kiosk"


@pytest.fixture
def staff_of(app):
    """A Socket.IO client of a hall's window staff, as the counter page joins."""
    clients = []

    def connect(unit: str, login: str):
        client = socketio.test_client(app, flask_test_client=sign_in(app.test_client(), login))
        assert "error" not in client.emit("join", {"unit": unit}, callback=True)
        client.get_received()  # nothing before the printer stops counts
        clients.append(client)
        return client

    yield connect
    for client in clients:
        client.disconnect()


def printer_news(client) -> list[tuple[str, str]]:
    return [
        (e["args"][0]["printer"]["name"], e["args"][0]["printer"]["status"])
        for e in client.get_received()
        if e["name"] == "printer.status_changed"
    ]


def test_a_stopped_printer_is_told_to_its_halls_windows_only(app, clock, fake_printer, staff_of):
    gen_staff("t-clerk", gen_unit("T"))
    gen_staff("u-clerk", gen_unit("U", services={"A": {}}, counters={1: ["A"]}))
    printers = use_printers(app, [{"name": PRINTER, "unit": "T", **fake_printer.config}])
    t_window, u_window = staff_of("T", "t-clerk"), staff_of("U", "u-clerk")
    spool = make_spooler(printers, clock)

    fake_printer.mode = "paper_out"
    spool.run_once(PRINTER)
    assert printer_news(t_window) == [(PRINTER, "paper_out")]

    fake_printer.mode = "online"  # the paper is changed: the banner goes
    clock.advance(seconds=16)
    spool.run_once(PRINTER)
    assert printer_news(t_window) == [(PRINTER, "online")]
    assert printer_news(u_window) == []
