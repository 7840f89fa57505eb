"""The records of text messages to visitors (qhall.texts): the phone a ticket's holder left,
the phones that asked for no more messages, and the one-time codes sent to confirm a phone.
Beside qhall.models, which holds the hall's own."""

from __future__ import annotations

from datetime import datetime

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField

from qhall.clock import queue_days
from qhall.models import BaseModel, Ticket, Unit


class TicketPhone(BaseModel):
    """The phone a ticket's holder asked to be texted at. Personal: erased once the visit
    ends, and at the latest when its hall day closes (erase_ticket_phones)."""

    ticket = ForeignKeyField(Ticket, unique=True, backref="+", on_delete="CASCADE")
    phone = CharField(max_length=20)
    # Told "前面还有 N 位" once already (or too near when the phone was left to need it).
    near_told = BooleanField(default=False)
    created_at = DateTimeField()

    class Meta:
        table_name = "ticket_phone"


class OptedOutPhone(BaseModel):
    """A phone that asked for no more messages: a keyed hash of it, never the number
    (qhall.texts.phone_key), so the list itself holds nothing personal and is kept."""

    phone_key = CharField(max_length=64, unique=True)
    at = DateTimeField()

    class Meta:
        table_name = "opted_out_phone"


class TextCode(BaseModel):
    """A one-time code sent to confirm a phone: keyed hashes of the phone and the code only,
    gone once used, tried too often, or expired."""

    phone_key = CharField(max_length=64)
    purpose = CharField(max_length=32)  # "booking", ...
    code_hash = CharField(max_length=64)
    tries = IntegerField(default=0)
    expires_at = DateTimeField()

    class Meta:
        table_name = "text_code"
        indexes = ((("phone_key", "purpose"), False), (("expires_at",), False))


def erase_ticket_phones(unit: Unit, now: datetime) -> int:
    """Delete the phones of a hall's tickets whose visit ended, or whose hall day is no
    longer in line, and the hall's expired codes; return how many phones went."""
    done = Ticket.select(Ticket.id).where(
        Ticket.unit == unit.id,
        Ticket.status.in_(("finished", "cancelled", "closed"))
        | (Ticket.day < queue_days(unit, now)[0]),
    )
    return TicketPhone.delete().where(TicketPhone.ticket.in_(done)).execute()


def forget_expired_codes(now: datetime) -> int:
    """Delete the one-time codes past their time; return how many."""
    return TextCode.delete().where(TextCode.expires_at < now).execute()
