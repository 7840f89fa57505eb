"""Wait figures: how many wait, how many are ahead of a ticket, and the estimated wait
from the service's recent visits and the windows open for it.

The estimate is said only when it can be true: with no open window serving the service
there is no number at all ("no_window", 暂无窗口办理), never "very soon". Otherwise the hall
is played forward from now as its windows call (estimate_wait): each open window, its
visit in hand over, calls the next visitor as qhall.queue.window_line would, each visit
lasting a robust length (a trimmed mean of recent visits, never below the service's
expected length, so that a few mis-pressed one-second visits cannot promise a short
wait); a paused window serves nobody. People see it as a range in whole 5 minutes. What
is not foreseen: newcomers (a later priority visitor, a window's first service filling
again) and windows pausing or closing. The figures this gives against the old
mean-over-max(1, windows) rule: `qhall bench estimates`."""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from peewee import JOIN, fn

from qhall.check_in import callable_ticket
from qhall.db import db
from qhall.lookups import IN_HAND
from qhall.models import Counter, CounterService, Service, Ticket, Unit

# How many of a service's most recent visits the service-time estimate looks at.
SERVICE_TIME_SAMPLE = 20
# Below this many recent visits the service's expected length is all we know.
FEWEST_VISITS = 5
# The share of the shortest and of the longest visits left out of the mean.
TRIM = 0.2
# The range people see: from the estimate less this share to the estimate plus it,
# in whole 5 minutes.
SPREAD = 0.2
STEP_MIN = 5


@dataclass(frozen=True)
class Estimate:
    """An estimated wait: "ok" with seconds and a range in minutes, or "no_window"."""

    state: str
    wait_s: int | None = None
    low_min: int | None = None
    high_min: int | None = None

    def view(self) -> dict:
        """Return the estimate as the clients read it."""
        return {"state": self.state, "low_min": self.low_min, "high_min": self.high_min}


NO_WINDOW = Estimate("no_window")


def typical_service_s(visits: Sequence[int], expected_s: int) -> float:
    """Return a visit's typical length: the trimmed mean of the recent visits, never below
    the service's expected length (all we know until there are a few visits)."""
    if len(visits) < FEWEST_VISITS:
        return float(expected_s)
    return max(float(expected_s), trimmed_mean(visits))


def trimmed_mean(values: Sequence[float]) -> float:
    """Return the mean of the values less the TRIM share of the lowest and of the highest."""
    ordered = sorted(values)
    cut = int(len(ordered) * TRIM)
    kept = ordered[cut : len(ordered) - cut]
    return sum(kept) / len(kept)


def remaining_s(visits: Sequence[int], length: float, elapsed_s: float | None) -> float:
    """Return how long a visit in hand will still take, `elapsed_s` after it started: what
    the recent visits that lasted longer still took (a long visit tends to run on; trimmed
    as the typical length is), never below a quarter of a visit; half a visit when we do
    not know when it started."""
    if elapsed_s is None:
        return length / 2
    longer = [v - elapsed_s for v in visits if v > elapsed_s]
    if len(visits) < FEWEST_VISITS or len(longer) < 2:
        return max(length - elapsed_s, length / 4)
    return max(trimmed_mean(longer), length / 4)


@dataclass(frozen=True)
class OpenWindow:
    """An open window as an estimate sees it: the services it calls in its order, the visit
    in hand (its service, and how long ago it started: 0 while the visitor is only called,
    None when not known), and its run of priority calls (Counter.priority_streak)."""

    services: tuple[str, ...]
    busy: bool
    in_hand: str | None = None
    elapsed_s: float | None = None
    streak: int = 0


@dataclass
class HallNow:
    """What an estimate needs to know of the hall now: its open windows (paused and closed
    ones serve nobody), how many wait per service and how many of them are priority
    visitors, each service's recent visits and expected length, and the hall's priority
    streak limit (Unit.priority_streak_limit)."""

    windows: list[OpenWindow]
    waiting: dict[str, int]
    visits: dict[str, Sequence[int]]
    expected_s: dict[str, int]
    priority: dict[str, int] = field(default_factory=dict)
    streak_limit: int = 2

    def service_s(self, code: str) -> float:
        return typical_service_s(self.visits.get(code, ()), self.expected_s.get(code, 300))

    def in_hand_s(self, window: OpenWindow) -> float:
        """Return how long the window's visit in hand will still take (0 when idle)."""
        if not window.busy:
            return 0.0
        code = window.in_hand
        if code is None:  # a visit of some service it calls: take the first
            code = window.services[0]
        visits = self.visits.get(code, ())
        return remaining_s(visits, self.service_s(code), window.elapsed_s)


# The forward replay of the line stops after this many calls: a line longer than this is
# hours long, and the rest is estimated at the pace the replay reached.
MAX_CALLS = 2000


def estimate_wait(hall: HallNow, service: str, ahead: int, priority: bool = False) -> Estimate:
    """Estimate the wait of a visitor of `service` with `ahead` visitors of it in front
    (qhall.estimates.people_ahead; a priority visitor has only priority ones in front).

    The hall is played forward from now as qhall.queue.window_line calls: each open window,
    once its visit in hand is over, calls priority visitors first within the streak limit,
    then its services in its order, each visit lasting the service's typical length. The
    wait is the moment one of them calls this visitor. So a window calling B before A
    gives A nothing while B has people waiting, and priority visitors ahead are counted.
    """
    if not any(service in w.services for w in hall.windows):
        return NO_WINDOW
    wait_s = math.ceil(called_after_s(hall, service, ahead, priority))
    if wait_s <= 0:
        return Estimate("ok", 0, 0, 0)
    return Estimate("ok", wait_s, *wait_range_min(wait_s))


def called_after_s(hall: HallNow, service: str, ahead: int, priority: bool) -> float:
    """Return in how many seconds the visitor would be called, replaying the hall's calls."""
    # Each line as [priority visitors, ordinary visitors]; in each, first come first called.
    lines = {}
    for code, count in hall.waiting.items():
        first = min(count, hall.priority.get(code, 0))
        lines[code] = [first, count - first]
    mine = 0 if priority else 1
    line = lines.setdefault(service, [0, 0])
    # This visitor is the last of its kind in its line: those behind never call before it.
    line[mine] = (ahead if priority else max(0, ahead - line[0])) + 1
    length = {code: hall.service_s(code) for code in lines}
    windows = [w for w in hall.windows if any(code in lines for code in w.services)]
    streaks = [w.streak for w in windows]
    free = [(hall.in_hand_s(w), index) for index, w in enumerate(windows)]
    heapq.heapify(free)
    calls = 0
    while free:
        moment, index = heapq.heappop(free)
        window = windows[index]
        kind = _next_call(window.services, lines, streaks[index] < hall.streak_limit)
        if kind is None:
            continue  # nothing more this window calls: it leaves the replay
        code, rank = kind
        if code == service and rank == mine and lines[code][rank] == 1:
            return moment
        lines[code][rank] -= 1
        streaks[index] = streaks[index] + 1 if rank == 0 else 0
        calls += 1
        if calls >= MAX_CALLS:
            left = sum(lines[service])
            serving = sum(1 for w in windows if service in w.services)
            return moment + left * length[service] / serving
        heapq.heappush(free, (moment + length[code], index))
    return 0.0  # not reached: a window serving the service always calls this visitor


def _next_call(services, lines, priority_first: bool) -> tuple[str, int] | None:
    """Return the line (service, 0 for priority or 1 for ordinary) a window calls from next,
    as qhall.queue.window_line orders it."""
    for rank in (0, 1) if priority_first else (1, 0):
        for code in services:
            if lines.get(code, (0, 0))[rank] > 0:
                return code, rank
    return None


def wait_range_min(wait_s: int) -> tuple[int, int]:
    """Return the range people are told, in whole 5 minutes: (0, 0) for under a minute
    (即将办理), (0, 5) for a few minutes, else about the estimate less and plus SPREAD."""
    minutes = wait_s / 60
    if minutes < 1:
        return 0, 0
    low = STEP_MIN * round(minutes * (1 - SPREAD) / STEP_MIN)
    high = STEP_MIN * round(minutes * (1 + SPREAD) / STEP_MIN)
    return low, max(high, low + STEP_MIN)


def naive_wait_s(ahead: int, visits: Sequence[int], expected_s: int, windows: int) -> int:
    """The rule before issue 15, kept for the benchmark: the plain mean of the recent visits
    over at least one window, even when none is open."""
    mean_s = sum(visits) / len(visits) if visits else expected_s
    return math.ceil(ahead * mean_s / max(1, windows)) if ahead > 0 else 0


# --- the figures from the database -----------------------------------------------------


def waiting_counts(unit: Unit, days) -> dict[str, int]:
    """Return how many tickets of the queue days (qhall.clock.queue_days) wait per service
    letter (0 for an empty line), counting only those a window may call (qhall.check_in)."""
    return {code: waiting for code, (waiting, _) in _waiting_and_priority(unit, days).items()}


def _waiting_and_priority(unit: Unit, days) -> dict[str, tuple[int, int]]:
    """Return per service letter how many tickets wait and how many of them have priority,
    in one pass: the estimate every ticket is told needs both."""
    rows = (
        Service.select(Service.code, fn.COUNT(Ticket.id), fn.COUNT(Ticket.priority))
        .join(
            Ticket,
            JOIN.LEFT_OUTER,
            on=(Ticket.service == Service.id)
            & Ticket.day.in_(days)
            & (Ticket.status == "waiting")
            & callable_ticket(),
        )
        .where(Service.unit == unit.id, Service.active == True)  # noqa: E712
        .group_by(Service.code)
        .tuples()
    )
    return {code: (waiting, priority) for code, waiting, priority in rows}


_RECENT_SQL = """
SELECT service_s FROM ticket WHERE service_id = {p} AND service_s IS NOT NULL
ORDER BY finished_at DESC LIMIT {sample}
"""


def hall_now(unit: Unit, days, now: datetime | None = None) -> HallNow:
    """Read what an estimate needs of the hall now; `days` are the queue days
    (qhall.clock.queue_days). Without `now` a visit in hand is taken as half done."""
    services = list(unit.services.where(Service.active == True))  # noqa: E712
    sql = _RECENT_SQL.format(p=db.obj.param, sample=SERVICE_TIME_SAMPLE)
    lines = _waiting_and_priority(unit, days)
    in_hand = {
        counter_id: (code, status, started_at)
        for counter_id, code, status, started_at in Ticket.select(
            Ticket.counter, Service.code, Ticket.status, Ticket.started_at
        )
        .join(Service)
        .where(Ticket.unit == unit.id, Ticket.status.in_(IN_HAND))
        .tuples()
    }
    served: dict[int, list[str]] = {}
    streaks: dict[int, int] = {}
    for counter_id, code, streak in _open_windows_services(unit):
        served.setdefault(counter_id, []).append(code)
        streaks[counter_id] = streak
    return HallNow(
        windows=[
            _open_window(codes, streaks[cid], in_hand.get(cid), now)
            for cid, codes in served.items()
        ],
        waiting={code: waiting for code, (waiting, _) in lines.items()},
        visits={
            s.code: [row[0] for row in db.execute_sql(sql, (s.id,)).fetchall()] for s in services
        },
        expected_s={s.code: s.expected_service_s for s in services},
        priority={code: priority for code, (_, priority) in lines.items()},
        streak_limit=unit.priority_streak_limit,
    )


def _open_window(codes: list[str], streak: int, visit, now: datetime | None) -> OpenWindow:
    if visit is None:
        return OpenWindow(tuple(codes), busy=False, streak=streak)
    code, status, started_at = visit
    if status != "serving":  # only called: the whole visit is still to come
        elapsed = 0.0
    elif now is None or started_at is None:
        elapsed = None
    else:
        elapsed = max(0.0, (now - started_at).total_seconds())
    return OpenWindow(tuple(codes), busy=True, in_hand=code, elapsed_s=elapsed, streak=streak)


def ticket_estimate(ticket: Ticket, ahead: int, now: datetime | None = None) -> Estimate:
    """Estimate the wait of a waiting ticket with `ahead` visitors in front of it."""
    spread = timedelta(days=1 if ticket.unit.round_the_clock else 0)
    days = [ticket.day - spread, ticket.day, ticket.day + spread]
    hall = hall_now(ticket.unit, days, now)
    return estimate_wait(hall, ticket.service.code, ahead, ticket.priority is not None)


def people_ahead(ticket: Ticket) -> int:
    """Return how many waiting visitors of the same service will be called before this one
    (those who have not checked in will not: qhall.check_in)."""
    # In a hall open round the clock two hall days wait in one line (qhall.clock.queue_days):
    # the ticket's and the day before, or, once its own day is carried over, the day after.
    spread = timedelta(days=1 if ticket.unit.round_the_clock else 0)
    same_line = Ticket.select().where(
        Ticket.service == ticket.service_id,
        Ticket.day.between(ticket.day - spread, ticket.day + spread),
        Ticket.status == "waiting",
        callable_ticket(),
        Ticket.id != ticket.id,
    )
    earlier = (Ticket.queue_at < ticket.queue_at) | (
        (Ticket.queue_at == ticket.queue_at) & (Ticket.id < ticket.id)
    )
    if ticket.priority:
        return same_line.where(Ticket.priority.is_null(False), earlier).count()
    return same_line.where(Ticket.priority.is_null(False) | earlier).count()


def unstaffed(unit: Unit, days) -> list[tuple[Service, int]]:
    """Return the services with visitors waiting and no open window serving them, with how
    many wait: nobody will call these visitors until a window opens for them."""
    served = {code for _, code, _ in _open_windows_services(unit)}
    waiting = waiting_counts(unit, days)
    services = unit.services.where(Service.active == True).order_by(Service.code)  # noqa: E712
    return [
        (service, waiting[service.code])
        for service in services
        if waiting.get(service.code, 0) > 0 and service.code not in served
    ]


def _open_windows_services(unit: Unit):
    """Return (window id, service letter, priority streak) of each service an open window
    calls, window by window in the order it calls them; paused windows call nobody."""
    return (
        CounterService.select(CounterService.counter, Service.code, Counter.priority_streak)
        .join(Service)
        .switch(CounterService)
        .join(Counter)
        .where(Counter.unit == unit.id, Counter.state == "open")
        .order_by(CounterService.counter, CounterService.position)
        .tuples()
    )
