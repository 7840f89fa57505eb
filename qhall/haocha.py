"""What the province's 好差评 platform is told (国办发〔2019〕51号, GB/T 39734/39735-2020):
each rating, then, for a bad one, its rectification's result once verified and the
visitor's answer on the call-back. Each report is written in the transaction of what it
reports and sent through the outbox (qhall.outbox, channel "haocha"), all of one rating's
reports to one recipient, so they arrive in order; different ratings go side by side, so
a platform that answers slowly still hears hundreds a second.

The reports use qhall's names. A province whose platform names its fields otherwise maps
them in the settings (`[OUTBOX.CHANNELS.haocha] FIELDS`, applied when sending by
qhall.outbox.rename); one that signs otherwise gets its own adapter beside
qhall.outbox.HttpChannel (`SCHEME`). Nothing else in qhall knows the platform."""

from __future__ import annotations

import json
from datetime import datetime

from qhall import outbox
from qhall.clock import iso
from qhall.models import Rating, Rectification, Staff, Ticket

CHANNEL = "haocha"
CHANNELS = {"tablet": "hall_tablet", "phone": "phone"}  # the norm's 评价渠道


def report_rating(rating: Rating, now: datetime) -> None:
    """Write the rating's report to the outbox; call inside the rating's unit of work."""
    _post(rating, rating_report(rating), now)


def report_rectification(item: Rectification, now: datetime) -> None:
    """Write a bad rating's rectification result (verified, not the rated person's word
    alone) to the outbox; call inside the unit of work that records the verification."""
    _post(item.rating, {
        "kind": "rectification",
        "rating_id": item.rating_id,
        "matter": matter(item.rating.ticket),
        "result": item.rectify_note,
        "rectified_at": iso(item.rectified_at),
        "verified_at": iso(item.verified_at),
        "verified_by_staff_no": _staff_no(item.verified_by),
    }, now)  # fmt: skip


def report_callback(item: Rectification, now: datetime) -> None:
    """Write the visitor's answer on the call-back (its code, never their words or number)
    to the outbox; call inside the unit of work that records the call-back."""
    _post(item.rating, {
        "kind": "callback",
        "rating_id": item.rating_id,
        "matter": matter(item.rating.ticket),
        "answer": item.callback_answer,
        "called_back_at": iso(item.called_back_at),
        "called_back_by_staff_no": _staff_no(item.called_back_by),
    }, now)  # fmt: skip


def _post(rating: Rating, report: dict, now: datetime) -> None:
    # One recipient per rating: the outbox sends a recipient's messages in the order written.
    outbox.post(CHANNEL, f"rating-{rating.id}", report, now=now, unit=rating.unit)


def matter(ticket: Ticket) -> dict:
    """Return how the platform knows the visit: the business system's 办件编号 when the
    window entered it (qhall.matters), else the ticket's number and day."""
    if ticket.matter_number:
        return {"matter_number": ticket.matter_number}
    return {"ticket": ticket.number, "day": ticket.day.isoformat()}


def _staff_no(staff: Staff | None) -> str | None:
    return (staff.employee_no or None) if staff else None


def rating_report(rating: Rating) -> dict:
    """Return what the platform is told: the matter, the service with its 事项编码, where
    and by whom it was served, through which channel, the five-level result with its
    dimensions and reasons, and when. Never the visitor's words or call-back number: they
    stay in the hall."""
    ticket, counter = rating.ticket, rating.counter
    service = ticket.service
    return {
        "kind": "rating",
        "rating_id": rating.id,
        "matter": matter(ticket),
        "service": {
            "code": service.code,
            "name": service.name_zh,
            "item_code": service.item_code or None,
        },  # fmt: skip
        "unit": {"code": rating.unit.code, "name": rating.unit.name_zh},
        "window": counter.window if counter else None,
        "staff_no": _staff_no(rating.staff),
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
