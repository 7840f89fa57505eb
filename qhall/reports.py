"""The ledger (台账): what the halls did over a period, for a unit or the whole bureau, by
service, window or staff member. Every figure is computed in SQL over indexed columns; no
query brings a period's tickets into Python.

The figures, as reported upward:
- issued: tickets of the period (their local day); served: finished; no-shows: 过号;
  cancelled: withdrawn by the visitor; transfers: transfers made (一站式 keeps the ticket).
- wait: seconds from the ticket to its first call; service: from start to finish. Average
  and 90th percentile (nearest rank: the smallest value at or above 90% of the values).
- service level (服务达标率): visitors called within the unit's target wait, out of those
  called plus those not called whose wait has already passed the target: still waiting
  past it now, closed at the day's end, or who withdrew after waiting past it. A visitor
  still waiting but not yet past the target counts neither way.
- satisfaction: counted ratings given in the period, by level (5 非常满意 … 1 非常不满意), and the share rated
  above 不满意; a rating whose appeal was accepted no longer counts.
- one-visit rate: first inquiries resolved in the period that took a single visit.
- on-time rate: promised cases completed in the period on or before their due day (the
  unit's local day); overdue: completed late, plus those still open past a due day that
  fell in the period.
- bad ratings: ratings of 不满意 or worse given in the period, and where their rectification
  stands: closed (rectified, verified, called back), appeal accepted, in progress, past its
  deadline. 实名差评回访率 (callback_rate): of the bad ratings that left a call-back number,
  the share called back; 整改率 (rectify_rate): of the bad ratings, the share rectified and
  closed. Both leave out ratings whose appeal was accepted, and are None with nothing to count.
The group a ticket belongs to is where it ended: its last service, window and staff member.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from peewee import SQL, NodeList, fn
from peewee import Case as SqlCase

from qhall.check_in import callable_ticket
from qhall.clock import iso, local_day
from qhall.clock import zone as hall_zone
from qhall.db import db, is_sqlite
from qhall.errors import BadInput
from qhall.ledger_table import UNKNOWN_GROUP, group_labels
from qhall.models import (
    RATING_LEVELS,
    Case,
    Inquiry,
    Rating,
    Rectification,
    Ticket,
)
from qhall.ratings import BAD_LEVEL
from qhall.scopes import GROUPINGS, Scope

# The longest period whose chart is drawn day by day.
DAILY_SERIES_DAYS = 62

# --- service-level targets -------------------------------------------------------------


def target_wait_s(settings: dict, unit_code: str) -> int:
    """Return a unit's target wait in seconds ([SERVICE_LEVEL] in the configuration)."""
    return int(settings.get("UNITS", {}).get(unit_code, settings["TARGET_WAIT_S"]))


def _target_expr(scope: Scope, settings: dict):
    targets = {unit.id: target_wait_s(settings, unit.code) for unit in scope.units}
    if len(set(targets.values())) <= 1:
        return next(iter(targets.values()), int(settings["TARGET_WAIT_S"]))
    return SqlCase(Ticket.unit, list(targets.items()), int(settings["TARGET_WAIT_S"]))


# --- the filters and group keys of each table --------------------------------------------


def ticket_where(scope: Scope) -> list:
    """Return the conditions that keep the tickets of a scope: its days (the ticket's own
    local day), unit, service, window and person (who called it)."""
    where = [Ticket.day >= scope.start, Ticket.day <= scope.end]
    if scope.unit is not None:
        where.append(Ticket.unit == scope.unit.id)
    if scope.service is not None:
        where.append(Ticket.service == scope.service.id)
    if scope.counter is not None:
        where.append(Ticket.counter == scope.counter.id)
    if scope.staff is not None:
        where.append(Ticket.staff == scope.staff.id)
    return where


TICKET_KEYS = {
    "unit": Ticket.unit,
    "service": Ticket.service,
    "window": Ticket.counter,
    "staff": Ticket.staff,
}


def utc_bounds(scope: Scope) -> tuple[datetime, datetime]:
    """Return the period as UTC moments, [first local midnight, the midnight after the end).

    A bureau's units share one time zone; the first unit's is taken."""
    zone = hall_zone(scope.units[0].timezone if scope.units else "Asia/Shanghai")

    def utc(day: date) -> datetime:
        return datetime.combine(day, time(), zone).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)

    return utc(scope.start), utc(scope.end + timedelta(days=1))


def _utc_offset_hours(scope: Scope) -> float:
    zone = hall_zone(scope.units[0].timezone if scope.units else "Asia/Shanghai")
    offset = datetime.combine(scope.start, time(12), zone).utcoffset()
    return offset.total_seconds() / 3600


def _end_of_day_utc(day_column, offset_hours: float):
    """SQL for the UTC moment a local day ends: the day at midnight + 24 h − the zone's offset."""
    hours = 24 - offset_hours
    if is_sqlite():
        return fn.datetime(day_column, f"{hours:+g} hours")
    return day_column + SQL(f"INTERVAL '{float(hours)} hours'")


# --- the figures ----------------------------------------------------------------------


def ledger(scope: Scope, by: str, *, settings: dict, now: datetime) -> dict:
    """Return the ledger of a scope: one row per group (unit, service, window or staff),
    the total, and the tickets day by day (month by month over a long period)."""
    if by not in GROUPINGS:
        raise BadInput("统计维度无效。", "Unknown grouping.", allowed=list(GROUPINGS))
    with db.atomic():  # one read transaction: the figures agree with each other
        groups: dict = {}
        total = _empty()
        series = _add_tickets(groups, total, scope, by, settings, now)
        _add_percentiles(groups, total, scope, by, "wait", Ticket.wait_s)
        _add_percentiles(groups, total, scope, by, "service", Ticket.service_s)
        _add_ratings(groups, total, scope, by)
        _add_rectifications(groups, total, scope, by, now)
        _add_inquiries(groups, total, scope, by)
        _add_cases(groups, total, scope, by, now)
        labels = group_labels(by, list(groups))
        rows = [
            {"key": key, **labels.get(key, UNKNOWN_GROUP), **_finish(figures)}
            for key, figures in groups.items()
        ]
        rows.sort(key=lambda row: row["sort"])
        zh, en = scope.label()
        return {
            "unit": scope.unit.code if scope.unit else None,
            "scope": zh,
            "scope_en": en,
            "start": scope.start.isoformat(),
            "end": scope.end.isoformat(),
            "by": by,
            "at": iso(now),
            "rows": rows,
            "total": _finish(total),
            "series": series,
        }


_COUNTS = (
    "issued", "served", "no_shows", "cancelled", "transfers", "called", "wait_sum",
    "timed", "service_sum", "within_target", "uncalled_late",
    "inquiries_resolved", "one_visit", "cases_completed", "cases_on_time", "cases_open_overdue",
    "bad_ratings", "bad_rectified", "bad_appealed", "bad_in_progress", "bad_overdue",
    "bad_with_phone", "bad_called_back",
)  # fmt: skip


def _empty() -> dict:
    return {
        **dict.fromkeys(_COUNTS, 0),
        "wait_p90_s": None,
        "service_p90_s": None,
        "levels": dict.fromkeys(RATING_LEVELS, 0),
    }


def _group(groups: dict, key) -> dict:
    if key not in groups:
        groups[key] = _empty()
    return groups[key]


def _when(condition):
    return fn.SUM(SqlCase(None, [(condition, 1)], 0))


_TICKET_SUMS = ("issued", "served", "no_shows", "cancelled", "transfers", "called", "wait_sum",
                "timed", "service_sum", "within_target", "uncalled_late")  # fmt: skip


def _add_tickets(groups, total, scope: Scope, by: str, settings: dict, now: datetime) -> list[dict]:
    """Add the ticket counts and sums per group and overall, and return them day by day (or
    month by month over a long period) for the charts.

    The inner pass groups by key, day and status: over a unit (or each unit of the bureau) it
    follows the covering index (unit, day, status, ...) row by row, with no sorting and no
    CASE per row but the service level's one. The outer query folds its rows into one per
    group and period, so Python sees a handful. The few visitors never called who waited
    past the target (their times are not in that index) come from a query of their own."""
    target = _target_expr(scope, settings)
    key = TICKET_KEYS[by]
    inner = (
        Ticket.select(
            key.alias("k"),
            Ticket.day.alias("d"),
            Ticket.status.alias("s"),
            fn.COUNT(SQL("*")).alias("n"),
            fn.SUM(Ticket.transfer_count).alias("moved"),
            fn.COUNT(Ticket.wait_s).alias("called"),
            fn.SUM(Ticket.wait_s).alias("wait_sum"),
            fn.COUNT(Ticket.service_s).alias("timed"),
            fn.SUM(Ticket.service_s).alias("service_sum"),
            _when(Ticket.wait_s <= target).alias("within"),
        )
        .where(*ticket_where(scope), *scope.unit_seek(Ticket.unit))
        .group_by(key, Ticket.day, Ticket.status)
        .alias("g")
    )
    period, status, issued = inner.c.d, inner.c.s, inner.c.n
    if (scope.end - scope.start).days + 1 > DAILY_SERIES_DAYS:  # month by month
        # A day is kept as "2025-11-26" in SQLite, as a date in PostgreSQL.
        period = fn.substr(period, 1, 7) if is_sqlite() else fn.to_char(period, "YYYY-MM")

    def of_status(name: str, value=issued):
        return fn.SUM(SqlCase(None, [(status == name, value)], 0))

    sums = (getattr(inner.c, name) for name in ("moved", "called", "wait_sum", "timed",
                                                  "service_sum", "within"))  # fmt: skip
    outer = (
        Ticket.select(inner.c.k, period, fn.SUM(issued), of_status("finished"),
                      of_status("no_show"), of_status("cancelled"), *map(fn.SUM, sums),
                      # Closed at the day's end without a call: all waited past the target.
                      of_status("closed", issued - inner.c.called))
        .from_(inner)
        .group_by(inner.c.k, period)
    )  # fmt: skip
    series: dict[str, dict] = {}
    for key_value, day, *values in db.execute_sql(*outer.sql()):
        point = series.setdefault(str(day)[:10], dict.fromkeys(_COUNTS, 0))
        figures = _group(groups, key_value)
        # int(): PostgreSQL's sums of counts are numeric (Decimal).
        for name, value in zip(_TICKET_SUMS, values, strict=True):
            value = int(value or 0)
            figures[name] += value
            total[name] += value
            point[name] += value
    # Not called, still waiting or withdrawn, whose wait passed the target by now or by the end.
    for key_value, count in _uncalled_late(scope, key, target, now).items():
        _group(groups, key_value)["uncalled_late"] += count
        total["uncalled_late"] += count
    return [
        {"period": period, "issued": p["issued"], "served": p["served"],
         "no_shows": p["no_shows"], "wait_avg_s": _mean(p["wait_sum"], p["called"])}
        for period, p in sorted(series.items())
    ]  # fmt: skip


def _uncalled_late(scope: Scope, key, target, now: datetime) -> dict:
    """Return, by group key, the visitors never called who were still waiting or withdrew
    (cancelled) after their wait passed the target: a query of its own, since they are few
    and their times are not in the index the main pass reads."""
    query = (
        Ticket.select(key, fn.COUNT(SQL("*")))
        .where(
            *ticket_where(scope),
            Ticket.status.in_(("waiting", "cancelled")),
            Ticket.wait_s.is_null(),
            callable_ticket(),  # a phone's ticket never checked in never waited in the hall
            _waited_past(target, now),
        )
        .group_by(key)
    )
    return dict(db.execute_sql(*query.sql()))


def _waited_past(target, now: datetime):
    """SQL: the ticket waited longer than target seconds from its issue to its end (withdrawn,
    closed) or, not ended, to now; in whole seconds, as a called ticket's wait_s counts."""
    end = fn.COALESCE(Ticket.finished_at, now)
    if is_sqlite():
        # SQLite keeps a moment to the millisecond; rounded there, a day in floating point
        # gives the whole seconds back (900.99998 is the 901 s it was).
        seconds = fn.ROUND((fn.julianday(end) - fn.julianday(Ticket.issued_at)) * 86400, 3)
    else:
        seconds = NodeList((SQL("EXTRACT(EPOCH FROM"), end - Ticket.issued_at, SQL(")")))
    return seconds >= target + 1


def percentile_rank(count: int, percent: int = 90) -> int:
    """Return the nearest rank of a percentile among count values: ceil(count × percent / 100)."""
    return -(-count * percent // 100)


def _percentile(where: list, column, count: int) -> int | None:
    """Return the 90th percentile of a column over count rows: walk an index on the column
    from the top and skip the values above the rank (a tenth of them), so the cost stays
    small however long the period."""
    if not count:
        return None
    above = count - percentile_rank(count)
    query = (
        Ticket.select(column)
        .where(*where, column.is_null(False))
        .order_by(column.desc())
        .limit(1)
        .offset(above)
    )
    return query.scalar()


def _add_percentiles(groups, total, scope: Scope, by: str, name: str, column) -> None:
    """Add the 90th percentile of a duration per group and overall; the counts come from
    the ticket pass (called: a wait; timed: a service time)."""
    counted = "called" if name == "wait" else "timed"
    key = TICKET_KEYS[by]
    where = ticket_where(scope)
    for key_value, figures in groups.items():
        in_group = key.is_null() if key_value is None else key == key_value
        figures[f"{name}_p90_s"] = _percentile([*where, in_group], column, figures[counted])
    total[f"{name}_p90_s"] = _percentile(where, column, total[counted])


RATING_KEYS = {"unit": Rating.unit, "service": Ticket.service, "window": Rating.counter,
               "staff": Rating.staff}  # fmt: skip


def _ratings(scope: Scope, by: str, *columns):
    """Select from the ratings given in the period within the scope, with the group key
    first; the ticket is joined only to reach its service."""
    start, end = utc_bounds(scope)
    key = RATING_KEYS[by]
    query = Rating.select(key, *columns)
    if by == "service" or scope.service is not None:
        query = query.join(Ticket, on=(Rating.ticket == Ticket.id))
    where = [Rating.at >= start, Rating.at < end, *rating_where(scope)]
    if scope.unit is not None:
        where.append(Rating.unit == scope.unit.id)
    return query.where(*where), key


def rating_where(scope: Scope) -> list:
    """Return the conditions that keep the ratings of a scope's service (joined to the
    ticket), window and person."""
    where = []
    if scope.service is not None:
        where.append(Ticket.service == scope.service.id)
    if scope.counter is not None:
        where.append(Rating.counter == scope.counter.id)
    if scope.staff is not None:
        where.append(Rating.staff == scope.staff.id)
    return where


def _add_ratings(groups, total, scope: Scope, by: str) -> None:
    # Each unit, "not excluded" and each level named: the index (unit, excluded, level, at)
    # is then read as one stretch of the period per unit and level, and nothing else.
    query, key = _ratings(scope, by, Rating.level, fn.COUNT(SQL("*")))
    query = query.where(
        Rating.excluded == False,  # noqa: E712 - SQL, not Python
        Rating.level.in_(RATING_LEVELS),
        *scope.unit_seek(Rating.unit),
    )
    for key_value, level, count in query.group_by(key, Rating.level).tuples():
        _group(groups, key_value)["levels"][level] += count
        total["levels"][level] += count


RECTIFICATION_KEYS = {"unit": Rectification.unit, "service": Ticket.service,
                      "window": Rating.counter, "staff": Rectification.staff}  # fmt: skip


def _add_rectifications(groups, total, scope: Scope, by: str, now: datetime) -> None:
    """Bad ratings given in the period (their rectification opens at the same moment) and
    where each stands, with the counts of the two rates: 实名差评回访率 (those with a call-back
    number that were called back) and 整改率 (closed after rectification, of those whose
    appeal was not accepted). The rating is joined for its number; its ticket only when
    the key needs it."""
    today = local_day(now, scope.units[0].timezone) if scope.units else now.date()
    start, end = utc_bounds(scope)
    key = RECTIFICATION_KEYS[by]
    counted = Rectification.status != "appeal_accepted"
    # A call-back needs a number (qhall.rectification), so one made counts as having had
    # one even after the number was erased with the visitor's other personal data.
    called_back = Rectification.called_back_at.is_null(False)
    with_phone = counted & ((Rating.callback_phone != "") | called_back)
    query = Rectification.select(
        key,
        fn.COUNT(Rectification.id),
        _when(Rectification.status == "closed"),
        _when(Rectification.status == "appeal_accepted"),
        _when(Rectification.closed_at.is_null()),
        _when(Rectification.closed_at.is_null() & (Rectification.due_day < today)),
        _when(with_phone),
        _when(with_phone & called_back),
    ).join(Rating)
    where = [Rectification.opened_at >= start, Rectification.opened_at < end]
    where += scope.unit_seek(Rectification.unit)  # the index (unit, opened_at)
    if by == "service" or scope.service:
        query = query.join(Ticket, on=(Rating.ticket == Ticket.id))
    if scope.unit is not None:
        where.append(Rectification.unit == scope.unit.id)
    if scope.staff is not None:
        where.append(Rectification.staff == scope.staff.id)
    if scope.counter is not None:
        where.append(Rating.counter == scope.counter.id)
    if scope.service is not None:
        where.append(Ticket.service == scope.service.id)
    names = ("bad_ratings", "bad_rectified", "bad_appealed", "bad_in_progress", "bad_overdue",
             "bad_with_phone", "bad_called_back")  # fmt: skip
    for key_value, *values in query.where(*where).group_by(key).tuples():
        figures = _group(groups, key_value)
        for name, value in zip(names, values, strict=True):
            figures[name] += value or 0
            total[name] += value or 0


INQUIRY_KEYS = {"unit": Inquiry.unit, "service": Inquiry.service, "staff": Inquiry.owner}


def _add_inquiries(groups, total, scope: Scope, by: str) -> None:
    """First inquiries resolved in the period, and how many took one visit. A window has
    no inquiries of its own (they belong to the person who received them)."""
    start, end = utc_bounds(scope)
    where = [Inquiry.resolved_at >= start, Inquiry.resolved_at < end]
    where += scope.unit_seek(Inquiry.unit)  # the index (unit, resolved_at, visits)
    if scope.unit is not None:
        where.append(Inquiry.unit == scope.unit.id)
    if scope.service is not None:
        where.append(Inquiry.service == scope.service.id)
    if scope.staff is not None:
        where.append(Inquiry.owner == scope.staff.id)
    if scope.counter is not None:
        return  # not attributable to a window
    key = INQUIRY_KEYS.get(by, Inquiry.unit)  # by window: counted in the total only
    query = (
        Inquiry.select(key, fn.COUNT(Inquiry.id), _when(Inquiry.visits == 1))
        .where(*where)
        .group_by(key)
        .tuples()
    )
    for key_value, resolved, once in query:
        if by in INQUIRY_KEYS:
            figures = _group(groups, key_value)
            figures["inquiries_resolved"] += resolved
            figures["one_visit"] += once or 0
        total["inquiries_resolved"] += resolved
        total["one_visit"] += once or 0


CASE_KEYS = {
    "unit": Case.unit,
    "service": Case.service,
    "window": Case.counter,
    "staff": Case.staff,
}


def case_where(scope: Scope) -> list:
    """Return the conditions that keep the cases of a scope's unit, service, window, person."""
    where = []
    if scope.unit is not None:
        where.append(Case.unit == scope.unit.id)
    if scope.service is not None:
        where.append(Case.service == scope.service.id)
    if scope.counter is not None:
        where.append(Case.counter == scope.counter.id)
    if scope.staff is not None:
        where.append(Case.staff == scope.staff.id)
    return where


def _add_cases(groups, total, scope: Scope, by: str, now: datetime) -> None:
    key = CASE_KEYS[by]
    start, end = utc_bounds(scope)
    on_time = Case.completed_at < _end_of_day_utc(Case.due_day, _utc_offset_hours(scope))
    completed = (
        Case.select(key, fn.COUNT(Case.id), _when(on_time))
        .where(
            *case_where(scope),
            *scope.unit_seek(Case.unit),  # the index (unit, completed_at, due_day)
            Case.completed_at >= start,
            Case.completed_at < end,
        )
        .group_by(key)
        .tuples()
    )
    for key_value, count, in_time in completed:
        figures = _group(groups, key_value)
        figures["cases_completed"] += count
        figures["cases_on_time"] += in_time or 0
        total["cases_completed"] += count
        total["cases_on_time"] += in_time or 0
    today = local_day(now, scope.units[0].timezone) if scope.units else now.date()
    overdue = (
        Case.select(key, fn.COUNT(Case.id))
        .where(
            *case_where(scope),
            *scope.unit_seek(Case.unit),
            Case.status == "open",
            Case.due_day >= scope.start,
            Case.due_day <= scope.end,
            Case.due_day < today,
        )
        .group_by(key)
        .tuples()
    )
    for key_value, count in overdue:
        _group(groups, key_value)["cases_open_overdue"] += count
        total["cases_open_overdue"] += count


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _mean(total: int, count: int) -> int | None:
    return round(total / count) if count else None


def _finish(figures: dict) -> dict:
    """Turn a group's counts and sums into the reported figures."""
    rated = sum(figures["levels"].values())
    satisfied = sum(n for level, n in figures["levels"].items() if level > BAD_LEVEL)
    return {
        "issued": figures["issued"],
        "served": figures["served"],
        "no_shows": figures["no_shows"],
        "cancelled": figures["cancelled"],
        "transfers": figures["transfers"],
        "called": figures["called"],
        "wait_avg_s": _mean(figures["wait_sum"], figures["called"]),
        "wait_p90_s": figures["wait_p90_s"],
        "service_avg_s": _mean(figures["service_sum"], figures["timed"]),
        "service_p90_s": figures["service_p90_s"],
        "service_level": _rate(
            figures["within_target"], figures["called"] + figures["uncalled_late"]
        ),
        "ratings": rated,
        "levels": {str(level): figures["levels"][level] for level in RATING_LEVELS},
        "satisfaction": _rate(satisfied, rated),
        "inquiries_resolved": figures["inquiries_resolved"],
        "one_visit_rate": _rate(figures["one_visit"], figures["inquiries_resolved"]),
        "cases_completed": figures["cases_completed"],
        "on_time_rate": _rate(figures["cases_on_time"], figures["cases_completed"]),
        "cases_overdue": figures["cases_completed"]
        - figures["cases_on_time"]
        + figures["cases_open_overdue"],
        "bad_ratings": figures["bad_ratings"],
        "bad_rectified": figures["bad_rectified"],
        "bad_appealed": figures["bad_appealed"],
        "bad_in_progress": figures["bad_in_progress"],
        "bad_overdue": figures["bad_overdue"],
        "bad_with_phone": figures["bad_with_phone"],
        "bad_called_back": figures["bad_called_back"],
        # 实名差评回访率 and 整改率 (None without a bad rating to count).
        "callback_rate": _rate(figures["bad_called_back"], figures["bad_with_phone"]),
        "rectify_rate": _rate(
            figures["bad_rectified"], figures["bad_ratings"] - figures["bad_appealed"]
        ),
    }
