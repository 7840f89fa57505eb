"""What the province's 好差评 platform is told of each rating (国办发〔2019〕51号,
GB/T 39734/39735-2020): one message per rating, written with the rating in its
transaction and sent through the outbox (qhall.outbox, channel "haocha"). What is told of
one rating (later its rectification and call-back) goes in order; different ratings go
side by side, so a platform that answers slowly still hears hundreds a second. A province whose platform names its fields otherwise changes
`rating_report` here; one that signs otherwise gets its own channel adapter beside
qhall.outbox.HttpChannel. Nothing else in qhall knows the platform."""

from __future__ import annotations

import json
from datetime import datetime

from qhall import outbox
from qhall.clock import iso
from qhall.models import Rating

CHANNEL = "haocha"
CHANNELS = {"tablet": "hall_tablet", "phone": "phone"}  # the norm's 评价渠道


def report_rating(rating: Rating, now: datetime) -> None:
    """Write the rating's report to the outbox; call inside the rating's unit of work."""
    outbox.post(CHANNEL, f"rating-{rating.id}", rating_report(rating), now=now, unit=rating.unit)


def rating_report(rating: Rating) -> dict:
    """Return what the platform is told: the matter, the service, where and by whom it was
    served, through which channel, the five-level result with its dimensions and reasons,
    and when. Never the visitor's words or call-back number: they stay in the hall."""
    ticket, counter, staff = rating.ticket, rating.counter, rating.staff
    return {
        "kind": "rating",
        "rating_id": rating.id,
        "matter": {"ticket": ticket.number, "day": ticket.day.isoformat()},
        "service": {"code": ticket.service.code, "name": ticket.service.name_zh},
        "unit": {"code": rating.unit.code, "name": rating.unit.name_zh},
        "window": counter.window if counter else None,
        "staff_no": (staff.employee_no or None) if staff else None,
        "channel": CHANNELS.get(rating.source, rating.source),
        "level": rating.level,
        "dimensions": {
            "efficiency": rating.efficiency,
            "competence": rating.competence,
            "attitude": rating.attitude,
        },
        "reasons": json.loads(rating.reasons),
        "question_set": rating.question_set,
        "at": iso(rating.at),
    }
