"""`qhall bench`'s calling step: eight windows call the next visitor at once (issue 16).

The demo hall MZJ has five windows and three staff, so the bench adds its own through the
admin API as the hall's manager, as a hall would: windows 11 to 18, each serving every
service in the same order, and one staff account for each with a password made for the
run. The line is filled over HTTP by the demo's registered kiosk, then each window's
client (its own keep-alive session, signed in as its staff member, window opened) calls
the next visitor until the line is empty or the time is up. All windows start together,
so the first to sign in does not empty the line alone.

Reported: calls a second, latency percentiles, calls per window and how evenly they were
shared, and every ticket called more than once (never acceptable).
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import time
from collections import Counter

from qhall.tools.bench import DEMO_KIOSK, PASSWORD, UNIT, percentile

MANAGER = "mzj-manager"  # config/demo.toml
FIRST_WINDOW = 11  # clear of the demo's windows 1 to 5
SERVICES = ("A", "B", "C", "D")
FILL_CLIENTS = 16  # kiosks issuing at once while the line fills
FILL_MAX_S = 120  # a slow machine calls a shorter line rather than wait on


def double_calls(called: list[tuple[str, str]]) -> int:
    """Return how many tickets were called more than once: `called` holds one
    (number, issued_at) per call, which names a ticket even across a turn of the day."""
    return sum(1 for times in Counter(called).values() if times > 1)


def window_logins(windows: int) -> dict[int, str]:
    """Return each bench window's number and the login of its staff member."""
    return {FIRST_WINDOW + i: f"bench-{i + 1}" for i in range(windows)}


async def _post(http, url: str, body: dict | None = None, headers: dict | None = None) -> dict:
    async with http.post(url, json=body, headers=headers) as response:
        if response.status >= 400:
            raise SystemExit(f"POST {url}: {response.status} {await response.text()}")
        return await response.json()


def _session():
    import aiohttp

    # unsafe=True: aiohttp keeps no cookies from an IP address (127.0.0.1) otherwise.
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def add_windows(base: str, windows: int) -> str:
    """Add the bench's windows and their staff as the hall's manager; return the password
    the staff sign in with (made for this run, as the password policy asks)."""
    password = "Bench-" + secrets.token_urlsafe(12)
    async with _session() as http:
        await _post(http, f"{base}/api/session", {"login": MANAGER, "password": PASSWORD})
        config = f"{base}/api/admin/config"
        for window, login in window_logins(windows).items():
            fields = {
                "window": window,
                "name_zh": f"压测窗口 {window}",
                "name_en": f"Bench window {window}",
                "services": ",".join(SERVICES),
            }
            await _post(http, f"{config}/windows", {"unit": UNIT, "fields": fields})
            staff = {
                "login": login,
                "name": login,
                "employee_no": login.upper(),
                "role": "staff",
                "password": password,
            }
            await _post(http, f"{config}/staff", {"unit": UNIT, "fields": staff})
    return password


async def fill_line(base: str, tickets: int) -> tuple[int, float]:
    """Issue `tickets` tickets over HTTP from the demo's kiosk, for FILL_MAX_S at most;
    return how many were issued and the seconds it took."""
    url = f"{base}/api/units/{UNIT}/tickets"
    numbers = iter(range(tickets))
    issued = [0]
    started = time.perf_counter()

    async def kiosk(http) -> None:
        for n in numbers:  # the kiosks share one count, so at most `tickets` are issued
            if time.perf_counter() - started > FILL_MAX_S:
                return
            await _post(http, url, {"service": SERVICES[n % len(SERVICES)]}, DEMO_KIOSK)
            issued[0] += 1

    async with _session() as http:
        await asyncio.gather(*(kiosk(http) for _ in range(FILL_CLIENTS)))
    return issued[0], time.perf_counter() - started


async def _window(base, window, login, password, ready, go, deadline, calls) -> None:
    """One window's client: sign in, open the window, then call until the line is empty."""
    counter = f"{base}/api/units/{UNIT}/counters/{window}"
    async with _session() as http:
        await _post(http, f"{base}/api/session", {"login": login, "password": password})
        await _post(http, f"{counter}/open")
        ready.set()
        await go.wait()
        while time.perf_counter() < deadline[0]:
            sent = time.perf_counter()
            answer = await _post(http, f"{counter}/call-next")
            ticket = answer["ticket"]
            if ticket is None:  # the line is empty
                return
            calls.append((window, (time.perf_counter() - sent) * 1000, ticket))


async def _call(base: str, windows: int, tickets: int, seconds: float) -> dict:
    password = await add_windows(base, windows)
    tickets, fill_s = await fill_line(base, tickets)
    readies = {window: asyncio.Event() for window in window_logins(windows)}
    go = asyncio.Event()
    deadline = [0.0]  # set when all windows are open
    calls: list[tuple[int, float, dict]] = []
    clients = [
        asyncio.create_task(
            _window(base, window, login, password, readies[window], go, deadline, calls)
        )
        for window, login in window_logins(windows).items()
    ]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies.values())), timeout=60)
    started = time.perf_counter()
    deadline[0] = started + seconds
    go.set()
    await asyncio.wait_for(asyncio.gather(*clients), timeout=seconds + 60)
    elapsed = time.perf_counter() - started
    if not calls:
        raise SystemExit("no window called anyone: is the line empty?")
    latencies = [latency for _window_no, latency, _ticket in calls]
    per_window = sorted(
        sum(1 for w, _l, _t in calls if w == window) for window in window_logins(windows)
    )
    p50, p99 = statistics.median(latencies), percentile(latencies, 0.99)
    return {
        "call_windows": windows,
        "call_tickets": tickets,
        "call_fill_s": round(fill_s, 1),
        "call_calls": len(calls),
        "call_per_s": round(len(calls) / elapsed, 1),
        "call_p50_ms": p50,
        "call_p99_ms": p99,
        "call_per_window_min": per_window[0],
        "call_per_window_median": statistics.median(per_window),
        "call_per_window_max": per_window[-1],
        "call_fairness_min_over_max": round(per_window[0] / max(1, per_window[-1]), 2),
        "call_p99_over_p50": round(p99 / max(0.001, p50), 1),
        "call_double_calls": double_calls([(t["number"], t["issued_at"]) for *_, t in calls]),
    }


def measure_calling(base: str, windows: int = 8, tickets: int = 2000, seconds: float = 10) -> dict:
    """Fill the line with `tickets` and let `windows` windows call it empty (or until
    `seconds` have passed); return the figures."""
    return asyncio.run(_call(base, windows, tickets, seconds))
