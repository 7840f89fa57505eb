"""The hall screen's voice keeps up: twenty calls in ten seconds on the real page (hall.js,
announcer.js, voice.js) against the real server, with the page's clock faked and
fast-forwarded and its audio output replaced by a recorder. What is said starts within
[VOICE] MAX_DELAY_S of its call, one announcement at a time; a recall replaces the call
still waiting; everything else is dropped and stays on the screen.
"""

from __future__ import annotations

from itertools import pairwise

import pytest
import requests
from playwright.sync_api import expect

from tests.factories import take_live_ticket
from tests.servers import open_and_empty_window

pytestmark = [pytest.mark.live, pytest.mark.browser]

UNIT = "MZJ"
MAX_DELAY_MS = 20_000  # config/default.toml [VOICE] MAX_DELAY_S
STEP_MS = 250

# The page's audio output, recorded instead of heard: each clip's start and end on the
# page's (fake) clock. Every fetch is counted until its body is read, so that the test
# moves the clock only once the page has what it asked the server for.
PAGE_SETUP = """
(() => {
  const log = window.__voiceLog = [];
  class RecordingContext {
    constructor() { this.state = "running"; this.destination = {}; this.onstatechange = null; }
    get currentTime() { return performance.now() / 1000; }
    resume() { return Promise.resolve(); }
    decodeAudioData(data) {  // 16-bit mono WAV at 22050 Hz after a 44-byte header
      return Promise.resolve({ duration: (data.byteLength - 44) / 2 / 22050 });
    }
    createBufferSource() {
      const ctx = this;
      return { buffer: null, connect() {}, start(at) {
        const begin = Date.now() + (at - ctx.currentTime) * 1000;
        log.push({ what: "sound", begin, end: begin + this.buffer.duration * 1000 });
      } };
    }
  }
  window.AudioContext = RecordingContext;

  let inflight = 0;
  Object.defineProperty(window, "__inflight", { get: () => inflight });
  const realFetch = window.fetch.bind(window);
  window.fetch = (...args) => {
    inflight += 1;
    return realFetch(...args).then(
      (response) => { response.__counted = true; return response; },
      (error) => { inflight -= 1; throw error; });
  };
  for (const method of ["json", "arrayBuffer", "text"]) {
    const read = Response.prototype[method];
    Response.prototype[method] = function () {
      const body = read.call(this);
      if (!this.__counted) return body;
      this.__counted = false;
      return body.finally(() => { inflight -= 1; });
    };
  }

  // A record carries only the value before; the value after is the next record's value
  // before (several changes can arrive in one batch), or the value now.
  document.addEventListener("DOMContentLoaded", () => {
    const hall = document.getElementById("hall");
    new MutationObserver((records) => records.forEach((r, i) => {
      const later = records.slice(i + 1).find((n) => n.attributeName === r.attributeName);
      const value = later ? later.oldValue : hall.getAttribute(r.attributeName);
      log.push({ what: r.attributeName, value, at: Date.now() });
    })).observe(hall, {
      attributeFilter: ["data-saying", "data-last-dropped", "data-heard"], attributeOldValue: true,
    });
  });
})();
"""


@pytest.fixture(scope="module")
def windows(live_server) -> dict[int, requests.Session]:
    """Windows 1 to 4 of the demo hall open, each with its own staff member, nobody waiting."""
    sessions = {}
    for window, login in ((1, "mzj-1"), (2, "mzj-2"), (3, "mzj-3"), (4, "mzj-manager")):
        session = requests.Session()
        signed_in = session.post(
            f"{live_server.base_url}/api/session", json={"login": login, "password": "qhall-demo"}
        )
        assert signed_in.status_code == 200, signed_in.text
        open_and_empty_window(session, live_server.base_url, window, UNIT)
        sessions[window] = session
    return sessions


def act(live_server, session, window: int, action: str) -> dict:
    answer = session.post(
        f"{live_server.base_url}/api/units/{UNIT}/counters/{window}/{action}", timeout=10
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["ticket"]


def settle(page) -> None:
    """Wait until the page has every answer it asked the server for."""
    page.wait_for_function("() => window.__inflight === 0", polling=20)


# (window, action): first calls at all four windows, recalls of calls still waiting to be
# said, next calls that let the earlier visitor go, all within ten seconds.
ACTIONS = [
    (1, "call-next"), (2, "call-next"), (3, "call-next"), (4, "call-next"), (4, "recall"),
    (3, "recall"), (1, "recall"), (2, "call-next"), (3, "call-next"), (4, "call-next"),
    (4, "recall"), (1, "call-next"), (2, "recall"), (3, "call-next"), (4, "call-next"),
    (3, "recall"), (1, "recall"), (2, "call-next"), (4, "recall"), (1, "call-next"),
]  # fmt: skip


def test_twenty_calls_in_ten_seconds_are_said_in_time_or_dropped(live_server, browser, windows):
    for _ in range(10):
        take_live_ticket(live_server.base_url, "A")
        take_live_ticket(live_server.base_url, "C")
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    page.clock.install()
    page.add_init_script(PAGE_SETUP)
    page.goto(f"{live_server.base_url}/display/{UNIT}")
    expect(page.locator("#hall")).to_have_attribute("data-voice", "idle")
    settle(page)
    expect(page.locator("#hall")).to_have_attribute("data-online", "true")
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 1)  # Python's clock counts seconds

    calls = []  # (number, window, page time it reached the screen)
    for i, (window, action) in enumerate(ACTIONS):
        ticket = act(live_server, windows[window], window, action)
        expect(page.locator("#hall")).to_have_attribute("data-heard", str(i + 1))
        calls.append((ticket["number"], window, page.evaluate("Date.now()")))
        settle(page)
        page.clock.run_for(500)
        settle(page)
    started_at = calls[0][2]
    while page.evaluate("Date.now()") < started_at + 60_000:
        page.clock.run_for(STEP_MS)
        settle(page)

    log = page.evaluate("window.__voiceLog")
    said = [(e["value"], e["at"]) for e in log if e["what"] == "data-saying" and e["value"]]
    dropped = [tuple(e["value"].split(" ")) for e in log if e["what"] == "data-last-dropped"]
    sounds = sorted((e["begin"], e["end"]) for e in log if e["what"] == "sound")

    # What is said starts within the limit of the call (or recall) it says.
    for what, at in said:
        heard = [t for number, window, t in calls if f"{number}>{window}" == what and t <= at]
        assert heard and at - max(heard) <= MAX_DELAY_MS, (what, at, calls)
    # One announcement at a time: no clip overlaps another.
    for (_, end), (begin, _) in pairwise(sounds):
        assert begin >= end - 1, sounds
    assert len(sounds) >= 2 * len(said)
    # Each call is said, replaced by its recall, or dropped, exactly once.
    accounted = [what for what, _ in said] + [what for what, _ in dropped]
    assert sorted(accounted) == sorted(f"{n}>{w}" for n, w, _ in calls)
    reasons = [why for _, why in dropped]
    assert "replaced" in reasons and "late" in reasons
    # A number recalled before its call was said is said once, after the recall.
    recalled = {what for what, why in dropped if why == "replaced"}
    for what in recalled:
        assert [w for w, _ in said].count(what) <= 1
    # A call too late to say still shows: the visitors of the last calls are all on screen.
    shown = page.locator("#windows").inner_text()
    for number, window, _ in calls:
        if (f"{number}>{window}", "late") in dropped and number == last_call(calls, window):
            assert number in shown
    assert page.locator("#hall").get_attribute("data-saying") == ""
    context.close()


def last_call(calls, window: int) -> str:
    return [number for number, w, _ in calls if w == window][-1]
