"""The ID card reader's bridge on the kiosk machine (kiosk/id_card_bridge.py): a card placed
reaches a long-polling page of the hall's own qhall, and nobody else's page; Chromium's
Private Network Access preflight is answered; only a local program simulates a card."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

from kiosk.id_card_bridge import Bridge, Reader, SimulatedReader
from tests.factories import gen_id_number

QHALL = "http://192.168.1.10:8000"  # the hall's server, as the kiosk's browser reaches it
CARD = {"name": "张三", "sex": "男", "birth_date": "1954-03-01", "id_number": gen_id_number(),
        "authority": "北京市公安局东城分局", "valid_from": "2020-01-01", "valid_until": "长期"}  # fmt: skip


@contextmanager
def serving(bridge: Bridge) -> Iterator[str]:
    """Serve the bridge in a thread; yield its address."""
    threading.Thread(target=bridge.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{bridge.port}"
    finally:
        bridge.shutdown()
        bridge.server_close()


@pytest.fixture
def bridge() -> Iterator[str]:
    with serving(Bridge(0, [QHALL], SimulatedReader(), wait_s=2)) as address:
        yield address


def place(bridge: str, card: dict, **headers) -> requests.Response:
    return requests.post(f"{bridge}/simulate", json=card, headers=headers, timeout=5)


def test_a_card_placed_reaches_the_page_waiting_for_it(bridge):
    page = {"Origin": QHALL}
    now = requests.get(f"{bridge}/card", headers=page, timeout=5)
    assert now.json() == {"seq": 0, "card": None, "reader": "ready"}
    assert now.headers["Access-Control-Allow-Origin"] == QHALL
    waiting = {}
    poll = threading.Thread(
        target=lambda: waiting.update(
            requests.get(f"{bridge}/card?after=0", headers=page, timeout=10).json()
        )
    )
    poll.start()
    assert place(bridge, CARD).status_code == 202
    poll.join(10)
    assert waiting == {"seq": 1, "card": CARD, "reader": "ready"}
    # Nothing new: the long poll ends empty after its wait, and the page asks again.
    assert requests.get(f"{bridge}/card?after=1", timeout=10).json()["card"] is None


def test_chromium_may_reach_it_from_the_halls_lan(bridge):
    preflight = requests.options(
        f"{bridge}/card",
        headers={"Origin": QHALL, "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Private-Network": "true"},
        timeout=5,
    )  # fmt: skip
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == QHALL
    assert preflight.headers["Access-Control-Allow-Private-Network"] == "true"


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "http://evil.example"}, {"Host": "evil.example:17321"}],
    ids=["another site's page", "a name rebound to 127.0.0.1"],
)
def test_no_other_page_reads_the_card(bridge, headers):
    place(bridge, CARD)
    for method in ("GET", "OPTIONS"):
        refused = requests.request(method, f"{bridge}/card?after=0", headers=headers, timeout=5)
        assert refused.status_code == 403 and CARD["id_number"] not in refused.text
        assert "Access-Control-Allow-Origin" not in refused.headers


def test_only_a_local_program_simulates_a_card_and_only_in_simulate_mode(bridge):
    assert place(bridge, CARD, Origin=QHALL).status_code == 403  # a page, even the hall's
    assert requests.post(f"{bridge}/simulate", data="[]", timeout=5).status_code == 400
    with serving(Bridge(0, [QHALL], Reader())) as with_a_real_reader:
        assert place(with_a_real_reader, CARD).status_code == 403
