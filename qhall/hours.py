"""When a service takes tickets: its weekdays and opening hours, in the hall's time zone."""

from __future__ import annotations

from datetime import datetime

from qhall.clock import local
from qhall.models import Service, Unit


def service_is_open(service: Service, unit: Unit, now: datetime) -> bool:
    """Tell whether the service takes tickets at this moment, by its weekdays and hours."""
    wall = local(now, unit.timezone)
    if str(wall.isoweekday()) not in service.weekdays:
        return False
    minute = wall.strftime("%H:%M")
    return any(start <= minute < end for start, end in parse_hours(service.hours))


def parse_hours(hours: str) -> list[tuple[str, str]]:
    """Split "08:30-12:00,13:30-17:30" into (start, end) pairs of "HH:MM" strings."""
    pairs = []
    for part in hours.split(","):
        if part.strip():
            start, _, end = part.strip().partition("-")
            pairs.append((start.strip().zfill(5), end.strip().zfill(5)))
    return pairs
