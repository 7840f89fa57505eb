"""Wait figures: how many wait, how many are ahead of a ticket, and the estimated wait
from the service's recent visits and the windows open for it."""

from __future__ import annotations

import math
from datetime import timedelta

from peewee import JOIN, fn

from qhall.db import db
from qhall.models import Service, Ticket, Unit

# How many of a service's most recent visits the service-time estimate averages.
SERVICE_TIME_SAMPLE = 20


def waiting_counts(unit: Unit, days) -> dict[str, int]:
    """Return how many tickets of the queue days (qhall.clock.queue_days) wait per service
    letter (0 for an empty line)."""
    rows = (
        Service.select(Service.code, fn.COUNT(Ticket.id))
        .join(
            Ticket,
            JOIN.LEFT_OUTER,
            on=(Ticket.service == Service.id) & Ticket.day.in_(days) & (Ticket.status == "waiting"),
        )
        .where(Service.unit == unit.id, Service.active == True)  # noqa: E712
        .group_by(Service.code)
        .tuples()
    )
    return dict(rows)


# One round trip for both figures an estimate needs; this runs for every ticket issued.
_PACE_SQL = """
SELECT (SELECT AVG(recent.service_s) FROM
          (SELECT service_s FROM ticket WHERE service_id = {p} AND service_s IS NOT NULL
           ORDER BY finished_at DESC LIMIT {sample}) AS recent),
       (SELECT COUNT(*) FROM counter JOIN counter_service ON counter_service.counter_id = counter.id
        WHERE counter_service.service_id = {p} AND counter.state = 'open')
"""


def service_pace(service: Service) -> tuple[float, int]:
    """Return the mean length of the service's recent visits (its expected length until it
    has some) and how many open windows serve it."""
    sql = _PACE_SQL.format(p=db.obj.param, sample=SERVICE_TIME_SAMPLE)
    mean, windows = db.execute_sql(sql, (service.id, service.id)).fetchone()
    return (float(mean) if mean is not None else float(service.expected_service_s)), windows


def estimated_wait_s(service: Service, ahead: int) -> int:
    """Estimate the wait behind `ahead` visitors from recent visits and open windows."""
    if ahead <= 0:
        return 0
    mean_s, windows = service_pace(service)
    return math.ceil(ahead * mean_s / max(1, windows))


def people_ahead(ticket: Ticket) -> int:
    """Return how many waiting visitors of the same service will be called before this one."""
    # In a hall open round the clock two hall days wait in one line (qhall.clock.queue_days):
    # the ticket's and the day before, or, once its own day is carried over, the day after.
    spread = timedelta(days=1 if ticket.unit.round_the_clock else 0)
    same_line = Ticket.select().where(
        Ticket.service == ticket.service_id,
        Ticket.day.between(ticket.day - spread, ticket.day + spread),
        Ticket.status == "waiting",
        Ticket.id != ticket.id,
    )
    earlier = (Ticket.queue_at < ticket.queue_at) | (
        (Ticket.queue_at == ticket.queue_at) & (Ticket.id < ticket.id)
    )
    if ticket.priority:
        return same_line.where(Ticket.priority.is_null(False), earlier).count()
    return same_line.where(Ticket.priority.is_null(False) | earlier).count()
