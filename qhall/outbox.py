"""The outbox: every message qhall sends outside (the province's 好差评 platform, text
messages) is a row written in the same transaction as the fact it reports, and sent after
the commit by one sender per channel across all processes (qhall.web.background, under a
lease). So a rating that is recorded is reported, and one that is rolled back never is.

- At least once, and once to the receiver: each message carries a key of its own
  (`Idempotency-Key`), so a message sent just before a crash and again after the restart
  is one message to a receiver that keeps the keys. Once the receiver said yes it is never
  sent again.
- In order per recipient: a recipient's later messages wait while an earlier one is
  unsent, so "前面还有 3 位" never arrives after "请到 2 号窗口".
- Never given up by itself: a failed send waits 5 s, then twice as long each time, at
  most an hour, for days if need be; a manager sees the reason and may cancel it.
- Personal data (a phone, a name in a text) is erased with the rest
  (qhall.retention): the row goes KEEP_PERSONAL_DAYS after it was written.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
    fn,
)

from qhall import retention  # a module import: it imports this module too
from qhall.audit import record_action
from qhall.clock import iso
from qhall.db import db, unit_of_work
from qhall.errors import Conflict, NotFound
from qhall.events import Outcome
from qhall.models import BaseModel, Unit

log = logging.getLogger(__name__)

STATES = ("pending", "sent", "cancelled")
FIRST_RETRY_S = 5
LAST_RETRY_S = 3600
# Sends at once per round, to different recipients: a receiver that takes 10 ms a message
# still gets hundreds a second.
PARALLEL_SENDS = 8
SEND_TIMEOUT_S = 5
PAGE_SIZE = 100  # messages a page of the managers' list  # a receiver that does not answer must not hold the sender long


class OutboxMessage(BaseModel):
    """One message to the outside, from its writing to its delivery."""

    channel = CharField()  # "haocha" (the province's platform), "sms", ...
    recipient = CharField()  # messages to one recipient go in the order written
    key = CharField(unique=True)  # the receiver's idempotency key
    unit = ForeignKeyField(Unit, null=True, backref="+", on_delete="SET NULL")
    payload = TextField()  # JSON, as the receiver gets it
    personal = BooleanField(default=False)  # holds a phone or a name: erased in time
    state = CharField(default="pending")
    attempts = IntegerField(default=0)
    created_at = DateTimeField()
    next_attempt_at = DateTimeField()
    sent_at = DateTimeField(null=True)
    last_error = TextField(default="")

    class Meta:
        table_name = "outbox_message"
        indexes = (
            (("channel", "state", "next_attempt_at"), False),
            (("channel", "recipient", "state"), False),
            (("created_at",), False),
        )


class DeliveryFailed(Exception):
    """The receiver did not take the message; the reason is kept for the manager."""


def post(
    channel: str,
    recipient: str,
    payload: dict,
    *,
    now: datetime,
    unit: Unit | None = None,
    personal: bool = False,
) -> OutboxMessage:
    """Write a message to send after the commit. Only inside the transaction that records
    the fact it reports: alone, a crash between the two would lose one or the other."""
    if not db.in_transaction():
        raise RuntimeError("outbox.post belongs inside the unit of work of what it reports")
    return OutboxMessage.create(
        channel=channel,
        recipient=recipient,
        key=secrets.token_hex(16),
        unit=unit,
        payload=json.dumps(payload, ensure_ascii=False, sort_keys=True),
        personal=personal,
        created_at=now,
        next_attempt_at=now,
    )


def retry_delay_s(attempts: int) -> float:
    """Seconds to wait after the attempts-th failed send: 5, 10, 20, … at most an hour."""
    return min(LAST_RETRY_S, FIRST_RETRY_S * 2 ** max(0, attempts - 1))


def due(channel: str, now: datetime, limit: int = 100) -> list[OutboxMessage]:
    """Return the messages to send now: each recipient's oldest unsent one, if its time
    has come (a later one waits behind it even when due)."""
    earlier = OutboxMessage.alias()
    waits_behind = earlier.select().where(
        earlier.channel == OutboxMessage.channel,
        earlier.recipient == OutboxMessage.recipient,
        earlier.state == "pending",
        earlier.id < OutboxMessage.id,
    )
    return list(
        OutboxMessage.select()
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.state == "pending",
            OutboxMessage.next_attempt_at <= now,
            ~fn.EXISTS(waits_behind),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )


def deliver_due(channel: str, send: Callable[[OutboxMessage], None], now: datetime) -> int:
    """Send what is due on a channel (several recipients at once) and record each result;
    return how many were delivered. Sending is outside any transaction: a receiver that is
    slow holds nobody's write."""
    messages = due(channel, now)
    if not messages:
        return 0
    with ThreadPoolExecutor(min(PARALLEL_SENDS, len(messages))) as pool:
        results = list(pool.map(lambda message: _attempt(send, message), messages))
    delivered = 0
    with unit_of_work():
        for message, error in zip(messages, results, strict=True):
            if error is None:
                delivered += (
                    OutboxMessage.update(state="sent", sent_at=now, attempts=message.attempts + 1)
                    .where(OutboxMessage.id == message.id, OutboxMessage.state == "pending")
                    .execute()
                )
                continue
            wait = timedelta(seconds=retry_delay_s(message.attempts + 1))
            OutboxMessage.update(
                attempts=message.attempts + 1, next_attempt_at=now + wait, last_error=error[:500]
            ).where(OutboxMessage.id == message.id, OutboxMessage.state == "pending").execute()
    return delivered


def _attempt(send: Callable[[OutboxMessage], None], message: OutboxMessage) -> str | None:
    """Send one message; return None if the receiver took it, else why not."""
    try:
        send(message)
        return None
    except DeliveryFailed as error:
        return str(error)
    except Exception as error:  # a bug in an adapter must not stop the channel for good
        log.exception("sending outbox message %s failed", message.id)
        return f"{type(error).__name__}: {error}"


def find_message(message_id: int) -> OutboxMessage:
    """Return a message by its id, or raise NotFound."""
    message = OutboxMessage.get_or_none(OutboxMessage.id == message_id)
    if message is None:
        raise NotFound("没有找到这条消息。", "No such message.")
    return message


def cancel(message_id: int, *, staff_id: int | None, now: datetime) -> Outcome:
    """Give up on an unsent message (a manager's decision, in the audit log)."""
    return _decide(message_id, "outbox.cancel", staff_id, now,
                   state="cancelled", last_error="cancelled by a manager 管理人员已取消")  # fmt: skip


def retry_now(message_id: int, *, staff_id: int | None, now: datetime) -> Outcome:
    """Try an unsent message again at once, its wait cut short (in the audit log)."""
    return _decide(message_id, "outbox.retry", staff_id, now, next_attempt_at=now)


def _decide(message_id: int, action: str, staff_id, now: datetime, **change) -> Outcome:
    with unit_of_work() as uow:
        message = find_message(message_id)
        changed = (
            OutboxMessage.update(**change)
            .where(OutboxMessage.id == message_id, OutboxMessage.state == "pending")
            .execute()
        )
        if not changed:
            raise Conflict("这条消息已经发出或已取消，无需再处理。",
                           "This message was already sent or cancelled.", state=message.state)  # fmt: skip
        record_action(staff_id=staff_id, unit_id=message.unit_id, action=action,
                      target=f"{message.channel}/{message.id}", now=now)  # fmt: skip
        return uow.finish(message_view(OutboxMessage.get_by_id(message_id)))


def overview(units, *, channel: str | None = None, state: str | None = None,
             page: int = 1) -> dict:  # fmt: skip
    """Return, for the units given (a query of Unit ids), each channel's count of messages
    by state, with the oldest still waiting and how many of those failed at least once
    ("failing"), and a page of the messages matching the filters, newest first: every
    message a count counts can be listed, page by page."""
    mine = OutboxMessage.unit.in_(units)
    counts: dict[str, dict] = {}
    for name, message_state, count, oldest in (
        OutboxMessage.select(OutboxMessage.channel, OutboxMessage.state,
                             fn.COUNT(OutboxMessage.id), fn.MIN(OutboxMessage.created_at))
        .where(mine).group_by(OutboxMessage.channel, OutboxMessage.state).tuples()
    ):  # fmt: skip
        figures = counts.setdefault(
            name, dict.fromkeys(STATES, 0) | {"failing": 0, "oldest_waiting_at": None}
        )
        figures[message_state] = count
        if message_state == "pending":
            figures["oldest_waiting_at"] = iso(oldest)
    # Of those waiting, the ones the receiver has refused at least once (last_error says why):
    # listed by the state filter "failing".
    failing = (OutboxMessage.state == "pending") & (OutboxMessage.attempts > 0)
    for name, count in (
        OutboxMessage.select(OutboxMessage.channel, fn.COUNT(OutboxMessage.id))
        .where(mine, failing).group_by(OutboxMessage.channel).tuples()
    ):  # fmt: skip
        counts[name]["failing"] = count
    chosen = OutboxMessage.select().where(mine)
    if channel:
        chosen = chosen.where(OutboxMessage.channel == channel)
    if state == "failing":
        chosen = chosen.where(failing)
    elif state:
        chosen = chosen.where(OutboxMessage.state == state)
    total = chosen.count()
    newest = chosen.order_by(OutboxMessage.id.desc()).paginate(page, PAGE_SIZE)
    return {
        "channels": counts,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "messages": [message_view(m) for m in newest],
    }


def message_view(message: OutboxMessage) -> dict:
    """Return a message as a manager sees it: a personal one's recipient masked and its
    text withheld (a phone and what it was told are the visitor's)."""
    return {
        "id": message.id,
        "channel": message.channel,
        "unit": message.unit.code if message.unit else None,
        "recipient": retention.mask_phone(message.recipient)
        if message.personal
        else message.recipient,
        "state": message.state,
        "attempts": message.attempts,
        "created_at": iso(message.created_at),
        "next_attempt_at": iso(message.next_attempt_at) if message.state == "pending" else None,
        "sent_at": iso(message.sent_at),
        "last_error": message.last_error,
        "payload": None if message.personal else json.loads(message.payload),
    }


def erase_personal(unit: Unit, before: datetime) -> int:
    """Delete a hall's messages with personal data written before `before` (sent or not:
    a text that old says nothing any more); return how many."""
    return (
        OutboxMessage.delete()
        .where(
            OutboxMessage.unit == unit.id,
            OutboxMessage.personal == True,  # noqa: E712
            OutboxMessage.created_at < before,
        )
        .execute()
    )


@dataclass(frozen=True)
class HttpChannel:
    """A receiver that takes each message as a signed JSON POST: the body is the payload
    (its fields renamed as the receiver names them, `fields`: see rename), `Idempotency-Key`
    the message's key, `X-Qhall-Signature` the hex HMAC-SHA256 of the body with the shared
    secret. Any 2xx is taken; anything else is tried again later.

    The adapter interface: a receiver that signs otherwise (a province's own scheme) is one
    subclass that overrides `signature_headers(body)`, named in ADAPTERS; its settings pick
    it by `SCHEME`. `send(message)` is all the sender calls."""

    url: str
    secret: str
    fields: dict = field(default_factory=dict)  # qhall's name (dotted path) -> the receiver's

    def signature_headers(self, body: bytes) -> dict[str, str]:
        """Return the headers that prove the body is qhall's (the shared secret's HMAC)."""
        signature = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        return {"X-Qhall-Signature": signature}

    def send(self, message: OutboxMessage) -> None:
        payload = message.payload
        if self.fields:
            payload = json.dumps(rename(json.loads(payload), self.fields),
                                 ensure_ascii=False, sort_keys=True)  # fmt: skip
        body = payload.encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Idempotency-Key": message.key,
                "X-Qhall-Channel": message.channel,
                **self.signature_headers(body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=SEND_TIMEOUT_S) as answer:
                answer.read(65536)
        except urllib.error.HTTPError as error:
            raise DeliveryFailed(f"HTTP {error.code} {error.reason}") from error
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise DeliveryFailed(f"no answer: {reason}") from error


# The signing schemes a channel's settings may name (SCHEME); a province's own goes here.
ADAPTERS: dict[str, type[HttpChannel]] = {"hmac": HttpChannel}


def channel_from(settings: dict) -> HttpChannel:
    """Return the adapter a channel's settings ask for ([OUTBOX.CHANNELS.<name>]: URL,
    SECRET, SCHEME, FIELDS)."""
    adapter = ADAPTERS[str(settings.get("SCHEME") or "hmac")]
    return adapter(str(settings["URL"]), str(settings.get("SECRET", "")),
                   dict(settings.get("FIELDS") or {}))  # fmt: skip


def rename(payload, fields: dict, path: str = ""):
    """Return the payload with its fields renamed as the receiver names them: `fields` maps
    qhall's name, as a dotted path ("level", "service.item_code"), to the receiver's; a
    field not named keeps qhall's name. Applied when sending, so the stored message (what
    a manager sees) keeps qhall's names and a mapping changed applies to what still waits."""
    if not isinstance(payload, dict) or not fields:
        return payload
    return {fields.get(path + name, name): rename(value, fields, f"{path}{name}.")
            for name, value in payload.items()}  # fmt: skip
