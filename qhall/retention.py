"""Erasing visitors' personal data once it is no longer needed, and logging each erasure;
forgetting the answers kept for Idempotency-Keys; masking names and phones."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from peewee import fn

from qhall import appointments, outbox
from qhall import events as ev
from qhall.audit import record_erasure
from qhall.db import checkpoint, unit_of_work
from qhall.events import Outcome
from qhall.models import (
    Case,
    IdempotencyRecord,
    Inquiry,
    PrintJob,
    Rating,
    Rectification,
    Unit,
)
from qhall.text_models import erase_ticket_phones, forget_expired_codes

# How long the answer to a request sent with an Idempotency-Key is kept: long enough for
# a client to retry after a dropped connection or a night offline, no longer.
IDEMPOTENCY_KEEP_S = 24 * 3600


def erase_personal_data(*, now: datetime, keep_days: int) -> Outcome:
    """Blank visitors' names and phones keep_days after their matter ended, or, for one
    that never ends, after anyone last did anything with it; the call-back numbers of
    ratings whose rectification closed that long ago (or, with none opened, given that
    long ago); the pages of print jobs that old (a receipt bears the visitor's name); and
    the answers kept for Idempotency-Keys. Log how many per unit, never whose; then empty
    SQLite's log, so that what was erased is in no file (see db.connect_database)."""
    before = now - timedelta(days=keep_days)
    # A matter ended that long ago, or, never ended, in which no one did anything since
    # (last_activity_at: every referral, return visit, task, suspension, resumption ...).
    old_inquiries = (
        (Inquiry.visitor_name != "") | (Inquiry.visitor_phone != ""),
        _ended_or_quiet_before(Inquiry.status == "resolved", Inquiry.resolved_at,
                               Inquiry.last_activity_at, Inquiry.created_at, before),
    )  # fmt: skip
    old_cases = (
        (Case.visitor_name != "") | (Case.visitor_phone != ""),
        _ended_or_quiet_before(Case.status == "completed", Case.completed_at,
                               Case.last_activity_at, Case.accepted_at, before),
    )  # fmt: skip
    # A call-back number is needed until the call-back is done and the item closed.
    still_open = Rectification.select(Rectification.rating).where(
        Rectification.closed_at.is_null() | (Rectification.closed_at >= before)
    )
    old_numbers = Rating.callback_phone != "", Rating.at < before, Rating.id.not_in(still_open)

    with unit_of_work() as uow:
        erased = {}
        for unit in Unit.select():
            counts = {
                "inquiries": Inquiry.update(visitor_name="", visitor_phone="")
                .where(Inquiry.unit == unit.id, *old_inquiries)
                .execute(),
                "cases": Case.update(visitor_name="", visitor_phone="")
                .where(Case.unit == unit.id, *old_cases)
                .execute(),
                "ratings": Rating.update(callback_phone="")
                .where(Rating.unit == unit.id, *old_numbers)
                .execute(),
                "print_jobs": _blank_pages(unit, before),
                "outbox_messages": outbox.erase_personal(unit, before),
                "bookings": appointments.erase_personal(unit, before),
                # A phone left for text messages: gone when the visit or its hall day ends.
                "ticket_phones": erase_ticket_phones(unit, now),
            }
            if any(counts.values()):
                ev.record(unit, ev.PRIVACY_ERASED, now, **counts, keep_days=keep_days)
                erased[unit.code] = counts
        answers = forget_kept_answers(before).result["kept_answers"]
        forget_expired_codes(now)  # keyed hashes only, but no use once expired
        record_erasure(erased, now=now, keep_days=keep_days)
        outcome = uow.finish(erased)
    if erased or answers:
        checkpoint()
    return outcome


def forget_kept_answers(before: datetime) -> Outcome:
    """Delete the answers kept for Idempotency-Keys before `before`; say how many went.

    The routine runs it a day back (IDEMPOTENCY_KEEP_S): an answer is kept for a client's
    retry, and a day-old request is not retried."""
    with unit_of_work():
        gone = IdempotencyRecord.delete().where(IdempotencyRecord.created_at < before).execute()
    return Outcome(result={"kept_answers": gone})


def _ended_or_quiet_before(ended, ended_at, last_activity_at, created_at, before):
    # Ended before `before`, or not ended and last touched (else made) before it.
    quiet = fn.COALESCE(last_activity_at, created_at) < before
    return (ended & (ended_at < before)) | (~ended & quiet)


def _blank_pages(unit: Unit, before: datetime) -> int:
    # A page waiting since before the cutoff will never be wanted: it expires, blank.
    old = PrintJob.unit == unit.id, PrintJob.created_at < before, fn.LENGTH(PrintJob.image) > 0
    PrintJob.update(status="expired", last_error="expired").where(
        *old, PrintJob.status == "pending"
    ).execute()
    return PrintJob.update(image=b"").where(*old).execute()


# The JSON fields that carry a visitor's name or phone, wherever they appear in an answer
# (inquiries, cases, ratings, rectification items, registers), and how each is masked.
PERSONAL_FIELDS = {
    "visitor_name": "name",
    "visitor": "name",
    "visitor_phone": "phone",
    "phone": "phone",
    "callback_phone": "phone",
    "callback_phone_full": "phone",
}


def mask_personal(value: Any) -> Any:
    """Return a JSON value with every visitor's name and phone in it masked."""
    if isinstance(value, list):
        return [mask_personal(item) for item in value]
    if not isinstance(value, dict):
        return value
    masked = {}
    for key, item in value.items():
        kind = PERSONAL_FIELDS.get(key)
        if kind is not None and isinstance(item, str):
            masked[key] = mask_name(item) if kind == "name" else mask_phone(item)
        else:
            masked[key] = mask_personal(item)
    return masked


def mask_name(name: str) -> str:
    """Mask a person's name for others' eyes: 张三 → 张*, 张小三 → 张*三."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" if name else ""
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    """Mask a phone number for others' eyes: 13812341234 → 138****1234, 87654321 → ****4321."""
    phone = (phone or "").strip()
    if len(phone) >= 11:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    keep = min(4, len(phone) // 2)
    return "*" * (len(phone) - keep) + phone[len(phone) - keep :]
