"""A past week for the demo halls, played through the real core functions.

Every figure the demo's pages and screens show (served counts, waits, ratings, service
level, rankings, the model window) must come from rows a manager can list, so the demo
does not invent figures: it plays visitors through the same functions the hall uses —
tickets from the kiosk, calls, starts and finishes at the windows, no-shows, ratings from
the window's tablet, first inquiries, promised cases, an inspection with its notice, the
rectification of bad ratings — at the times they would have happened, one day after the
other. The randomness is seeded, so every demo shows the same week.

It runs once: a demo hall that already has tickets before today keeps its history.
"""

from __future__ import annotations

import heapq
import itertools
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from qhall import cases, inquiries, queue, rankings, ratings, rectification, supervision, windows
from qhall.clock import local, local_day
from qhall.db import unit_of_work
from qhall.devices import Tablet, load_tablets
from qhall.errors import HallError
from qhall.models import Case, Counter, Rectification, Service, Staff, Ticket, Unit
from qhall.workdays import work_calendar

DAYS = 7
# Visitors a working day, and who staffs which window (the demo's logins, config/demo.toml).
VISITORS = {"MZJ": 42, "JZZ": 10, "BYG": 12}
STAFFING = {"MZJ": {1: "mzj-1", 2: "mzj-2", 3: "mzj-3"}, "JZZ": {1: "jzz-1"}, "BYG": {1: "byg-1"}}
MANAGERS = {"MZJ": "mzj-manager"}
INSPECTOR = "admin"
# The hall's sessions in local time; visitors stop coming half an hour before each ends.
SESSIONS = ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))
NO_SHOW_SHARE = 0.05
RATED_SHARE = 0.7
INQUIRY_SHARE = 0.12
# Levels as the tablets gave them: mostly satisfied, a few not.
LEVEL_WEIGHTS = {5: 70, 4: 21, 3: 5, 2: 3, 1: 1}


@dataclass(order=True)
class _Step:
    at: datetime
    seq: int
    action: str = field(compare=False)
    args: tuple = field(compare=False, default=())


class _Day:
    """One day of one hall: visitors arrive, windows call, serve and are rated, in time order."""

    def __init__(self, hall: _Hall, day: date):
        self.hall, self.unit, self.day, self.rng = hall, hall.unit, day, hall.rng
        self.staff = hall.staff
        self.zone = ZoneInfo(self.unit.timezone)
        self.steps: list[_Step] = []
        self.seq = itertools.count()
        self.idle: set[int] = set()
        counters = Counter.select().where(
            Counter.unit == self.unit.id, Counter.window.in_(list(self.staff))
        )
        self.serves = {c.window: {link.service.code for link in c.service_links} for c in counters}

    def utc(self, moment: time) -> datetime:
        wall = datetime.combine(self.day, moment, self.zone)
        return wall.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)

    def later(self, at: datetime, action: str, *args) -> None:
        heapq.heappush(self.steps, _Step(at, next(self.seq), action, args))

    def play(self, services: list[Service]) -> None:
        opening, closing = self.utc(SESSIONS[0][0]), self.utc(SESSIONS[-1][1])
        for window in self.staff:
            self.later(opening, "open", window)
            self.later(closing + timedelta(minutes=30), "close", window)
        for _ in range(VISITORS.get(self.unit.code, 10)):
            start, end = self.rng.choice(SESSIONS)
            first = self.utc(start)
            span = (self.utc(end) - first).total_seconds() - 1800
            self.later(
                first + timedelta(seconds=self.rng.uniform(0, span)),
                "arrive",
                self.rng.choice(services),
            )
        while self.steps:
            step = heapq.heappop(self.steps)
            getattr(self, f"_{step.action}")(step.at, *step.args)

    def _open(self, at, window) -> None:
        windows.open_counter(self.unit.code, window, staff_id=self.staff[window].id, now=at)
        self.idle.add(window)

    def _close(self, at, window) -> None:
        if window not in self.idle:  # still serving the day's last visitors
            self.later(at + timedelta(minutes=5), "close", window)
            return
        self.idle.discard(window)
        windows.close_counter(self.unit.code, window, staff_id=self.staff[window].id, now=at)

    def _arrive(self, at, service: Service) -> None:
        elderly = self.rng.random() < 0.08
        queue.issue_ticket(
            self.unit.code, service.code, priority="elderly" if elderly else None, now=at
        )
        for window in sorted(self.idle):
            if service.code not in self.serves[window]:
                continue
            self.idle.discard(window)
            self.later(at + timedelta(seconds=self.rng.uniform(5, 40)), "call", window)

    def _call(self, at, window) -> None:
        staff_id = self.staff[window].id
        called = queue.call_next(self.unit.code, window, staff_id=staff_id, now=at).result
        if called["ticket"] is None:
            self.idle.add(window)
            return
        if self.rng.random() < NO_SHOW_SHARE:
            # Nobody comes; the window calls the next after two minutes, which records a
            # no-show, not a visit served.
            self.later(at + timedelta(minutes=2), "call", window)
            return
        started = at + timedelta(seconds=self.rng.uniform(20, 70))
        self.later(started, "start", window, called["ticket"]["number"])

    def _start(self, at, window, number) -> None:
        staff_id = self.staff[window].id
        queue.start(self.unit.code, window, staff_id=staff_id, now=at)
        ticket = Ticket.get(
            Ticket.unit == self.unit.id, Ticket.day == self.day, Ticket.number == number
        )
        expected = ticket.service.expected_service_s
        length = timedelta(seconds=max(60, self.rng.gauss(expected, expected / 3)))
        self.later(at + length / 2, "register", window, ticket.id)
        self.later(at + length, "finish", window, number)

    def _register(self, at, window, ticket_id) -> None:
        ticket = Ticket.get_by_id(ticket_id)
        staff_id = self.staff[window].id
        if ticket.service.time_limit_days and self.rng.random() < 0.5:
            cases.accept_case(
                self.unit.code,
                ticket.service.code,
                staff_id=staff_id,
                window=window,
                matter=f"{ticket.service.name_zh}申请（演示）",
                materials=[{"name": "身份证复印件", "quantity": 1}],
                visitor_name=self.rng.choice(VISITOR_NAMES),
                visitor_phone=_phone(self.rng),
                now=at,
            )
        elif self.rng.random() < INQUIRY_SHARE:
            inquiry = inquiries.register_inquiry(
                self.unit.code,
                staff_id=staff_id,
                matter=f"咨询{ticket.service.name_zh}办理条件（演示）",
                visitor_name=self.rng.choice(VISITOR_NAMES),
                visitor_phone=_phone(self.rng),
                service_code=ticket.service.code,
                window=window,
                now=at,
            ).result
            if self.rng.random() < 0.85:  # most are answered on the spot
                self.later(at + timedelta(minutes=2), "resolve", window, inquiry["id"])

    def _resolve(self, at, window, inquiry_id) -> None:
        inquiries.resolve_inquiry(
            self.unit.code,
            inquiry_id,
            staff_id=self.staff[window].id,
            outcome="已一次性告知办理条件和所需材料。",
            now=at,
        )

    def _finish(self, at, window, number) -> None:
        staff_id = self.staff[window].id
        queue.finish(self.unit.code, window, staff_id=staff_id, now=at)
        if self.rng.random() < RATED_SHARE:
            self.later(at + timedelta(seconds=self.rng.uniform(5, 30)), "rate", window, number)
        self.later(at + timedelta(seconds=self.rng.uniform(15, 60)), "call", window)

    def _rate(self, at, window, number) -> None:
        self.hall.rate(window, number, at)


@dataclass
class _Hall:
    """A demo hall as the week is played: who works which window, its tablets, its dice."""

    unit: Unit
    staff: dict[int, Staff]
    tablets: dict[int, Tablet]
    counter_settings: dict
    rng: random.Random

    def rate(self, window: int, number: str, at: datetime) -> None:
        """Rate a finished visit from the window's tablet, as its visitor would."""
        tablet = self.tablets.get(window)
        if tablet is None:
            return
        rng = self.rng
        level = rng.choices(list(LEVEL_WEIGHTS), weights=list(LEVEL_WEIGHTS.values()))[0]
        dimension = lambda: max(1, min(5, level - rng.choice((0, 0, 0, 1))))  # noqa: E731
        bad = level <= ratings.BAD_LEVEL
        ratings.rate_at_window(
            tablet,
            number,
            level=level,
            efficiency=dimension(),
            competence=dimension(),
            attitude=dimension(),
            reasons=rng.sample(BAD_REASONS, k=rng.randint(1, 2)) if bad else (),
            words=rng.choice(BAD_WORDS) if bad else "",
            callback_phone=_phone(rng) if bad and rng.random() < 0.7 else "",
            now=at,
            rating_window_s=int(self.counter_settings["RATING_WINDOW_S"]),
            rectification_days=int(self.counter_settings["RECTIFICATION_DAYS"]),
        )


VISITOR_NAMES = ["王建国", "李秀英", "张伟", "刘芳", "陈静", "杨洋", "赵磊", "黄敏", "周杰", "吴霞"]
BAD_REASONS = ["long_wait", "attitude", "not_told_once", "slow"]
BAD_WORDS = ["排队等了很久，窗口人员中途离开。", "问了两遍才说清楚要带什么材料。", ""]


def _phone(rng: random.Random) -> str:
    return f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"


def past_days(unit: Unit, today: date, calendar) -> list[date]:
    """Return the days of the past week the hall worked: every day for a hall open round the
    clock all week (the relief station), otherwise the official working days."""
    days = [today - timedelta(days=n) for n in range(DAYS, 0, -1)]
    every_day = all(s.weekdays == "1234567" for s in unit.services) and unit.code == "JZZ"
    return days if every_day else [d for d in days if calendar.is_workday(d)]


def seed_past_week(now: datetime, settings: dict, *, seed: int = 2026) -> dict[str, int]:
    """Play the past week in every demo hall that has no history yet; return how many
    tickets each hall got. settings are the app's (COUNTER, RANKING, SERVICE_LEVEL)."""
    calendar = work_calendar()
    tablets = load_tablets({"DEMO_PRINTERS": True})
    played: dict[str, int] = {}
    with unit_of_work() as uow:
        for code, staffing in STAFFING.items():
            unit = Unit.get_or_none(Unit.code == code)
            if unit is None:
                continue
            today = local_day(now, unit.timezone)
            if Ticket.select().where(Ticket.unit == unit.id, Ticket.day < today).exists():
                continue
            hall = _Hall(
                unit=unit,
                staff={w: Staff.get(Staff.login == login) for w, login in staffing.items()},
                tablets={t.window: t for t in tablets.values() if t.unit == code},
                counter_settings=settings["COUNTER"],
                rng=random.Random(f"{seed}-{code}"),
            )
            services = _services_of(unit, staffing)
            for day in past_days(unit, today, calendar):
                _Day(hall, day).play(services)
            queue.close_past_days(code, now=now)
            played[code] = Ticket.select().where(Ticket.unit == unit.id).count()
        if played:
            _supervise(now, calendar)
            _rectify(now)
            _complete_cases(now, random.Random(seed))
            _select(now, settings)
        uow.finish(played)
    return played


def _services_of(unit: Unit, staffing: dict[int, str]) -> list[Service]:
    """Return the services the staffed windows serve: the demo's visitors ask for those."""
    counters = Counter.select().where(Counter.unit == unit.id, Counter.window.in_(list(staffing)))
    codes = {link.service.code for counter in counters for link in counter.service_links}
    return [s for s in unit.services if s.code in codes and s.active]


def _supervise(now: datetime, calendar) -> None:
    """An unannounced inspection of the civil-affairs hall three working days ago that found
    one window cold to a visitor, and the notice it led to, answered by the hall."""
    inspector = Staff.get_or_none(Staff.login == INSPECTOR)
    unit = Unit.get_or_none(Unit.code == "MZJ")
    if inspector is None or unit is None:
        return
    today = local_day(now, unit.timezone)
    visited = today - timedelta(days=1)
    while not calendar.is_workday(visited) or (today - visited).days < 3:
        visited -= timedelta(days=1)
    at = datetime.combine(visited, time(2, 0))  # 10:00 in Beijing, stored as UTC
    manager = Staff.get_or_none(Staff.login == MANAGERS["MZJ"])
    try:
        inspection = supervision.record_inspection(
            "MZJ",
            inspector_id=inspector.id,
            kind="unannounced",
            visited_on=visited,
            window=2,
            staff_login="mzj-2",
            summary="暗访：窗口服务总体规范，个别窗口答复群众咨询态度生硬。",
            findings=[
                {
                    "category": "cold",
                    "description": "2号窗口答复老年群众咨询时语气生硬，未主动一次性告知所需材料。",
                    "evidence": "暗访记录",
                }
            ],
            now=at,
        ).result
        notice = supervision.publish_notice(
            "MZJ",
            publisher_id=inspector.id,
            title="关于市民政局政务服务大厅窗口服务态度问题的通报",
            body="暗访发现2号窗口答复群众咨询语气生硬，请于期限内整改并报送整改情况。",
            deadline=calendar.add_workdays(visited, 10),
            inspection_id=inspection["id"],
            now=at + timedelta(hours=5),
        ).result
        if manager is not None:
            supervision.respond_notice(
                notice["id"],
                staff_id=manager.id,
                response="已约谈当事人，组织全体窗口人员学习文明用语规范，推行一次性告知清单。",
                now=at + timedelta(days=1),
            )
    except HallError:
        return


def _rectify(now: datetime) -> None:
    """Take the bad ratings of the civil-affairs hall through rectification as its people
    would: the rated person explains the next morning, the manager verifies, calls the
    visitor back and closes. The last two days' items are left open, as a hall has them."""
    manager = Staff.get_or_none(Staff.login == MANAGERS["MZJ"])
    items = Rectification.select().join(Unit).where(Unit.code == "MZJ")
    for item in items.order_by(Rectification.opened_at):
        begun = _next_morning(item.opened_at, item.unit.timezone)
        if manager is None or begun + timedelta(days=1) > now:
            continue
        steps = [
            ("rectify", item.staff_id, "已向群众致歉，重新学习一次性告知清单并在窗口张贴。", None),
            ("verify", manager.id, "调阅监控和办件记录，情况属实，整改措施可行。", None),
        ]
        if item.rating.callback_phone:
            steps.append(("call-back", manager.id, "电话回访，群众对整改表示认可。", "satisfied"))
        steps.append(("close", manager.id, "整改到位，予以办结。", None))
        for hours, (step, who, note, answer) in enumerate(steps):
            rectification.advance_rectification(
                "MZJ", item.id, step, staff_id=who, note=note, answer=answer,
                now=begun + timedelta(hours=hours),
            )  # fmt: skip


def _complete_cases(now: datetime, rng: random.Random) -> None:
    """Complete most of the promised cases accepted three or more days ago, each on the
    afternoon of its second to fourth day, well within its time limit."""
    for case in Case.select().where(Case.status == "open").order_by(Case.id):
        done = _next_morning(case.accepted_at, case.unit.timezone) + timedelta(
            days=rng.randint(1, 3), hours=5
        )
        if done > now or rng.random() > 0.7:
            continue
        cases.complete_case(
            case.unit.code, case.number, staff_id=case.staff_id,
            result="已按规定办结，结果已告知申请人。", now=done,
        )  # fmt: skip


def _next_morning(moment: datetime, timezone: str) -> datetime:
    """Return 09:30 local time on the day after a moment, stored as UTC."""
    wall = datetime.combine(local(moment, timezone).date() + timedelta(days=1), time(9, 30))
    aware = wall.replace(tzinfo=ZoneInfo(timezone))
    return aware.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _select(now: datetime, settings: dict) -> None:
    """Confirm last month's model window and service star of the civil-affairs hall from its
    ranking, if the played week reached into last month and ranked anyone: the hall screens
    then show them with the figures they were chosen on. Otherwise the screens show none."""
    manager = Staff.get_or_none(Staff.login == MANAGERS["MZJ"])
    unit = Unit.get_or_none(Unit.code == "MZJ")
    if manager is None or unit is None:
        return
    month = (local_day(now, unit.timezone).replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    board = rankings.rankings(
        "MZJ", month, settings=settings["SERVICE_LEVEL"], weights=settings["RANKING"], now=now
    )
    window = next((e["pick"] for e in board["windows"] if e["rank"] == 1), None)
    person = next((e["pick"] for e in board["staff"] if e["rank"] == 1), None)
    if window is None and person is None:
        return
    rankings.confirm_selection(
        "MZJ", month, window=window, staff_login=person, staff_id=manager.id,
        settings=settings["SERVICE_LEVEL"], weights=settings["RANKING"], now=now,
    )  # fmt: skip
