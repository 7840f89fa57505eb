"""The second-generation ID card (居民身份证) as qhall may keep it: never the number, only a
keyed hash of it (person_key) under the install's own secret, so that a ticket or booking
can be matched to the card that made it without the number being stored or shown. The
hashes are erased at the end of the hall day they serve (qhall.queue.close_past_days).

What a card read at a registered kiosk does (kiosk/id_card_bridge.py brings it to the page):
a visitor of ELDERLY_AGE or more on the hall day gets the elderly priority without asking,
and a person holds at most one open ticket per service per hall day, so that nobody takes
a handful of numbers to sell (票贩子).

An ID number is 17 digits and a check character (GB 11643-1999, ISO 7064 MOD 11-2);
digits 7 to 14 are the birth date.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

from qhall.db import lock_key
from qhall.errors import BadInput, Conflict
from qhall.models import Service, Ticket, Unit
from qhall.numbering import OPEN_STATES

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"

BAD_NUMBER = ("身份证号码不正确，请核对。", "This ID card number is not valid. Please check it.")


def clean_id_number(text: str) -> str:
    """Return an ID number in its one written form (upper-case X, no spaces), or raise
    BadInput when it is not one: wrong length, check character or birth date."""
    number = "".join(str(text or "").split()).upper()
    if len(number) != 18 or not number[:17].isdigit():
        raise BadInput(*BAD_NUMBER)
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _WEIGHTS, strict=True))
    if _CHECK_CHARS[total % 11] != number[17]:
        raise BadInput(*BAD_NUMBER)
    birth_date(number)
    return number


def birth_date(number: str) -> date:
    """Return the birth date written in an ID number."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise BadInput(*BAD_NUMBER) from None


def person_key(number: str, secret: str) -> str:
    """Return the keyed hash that stands for a person in qhall's rows: HMAC-SHA256 of the
    cleaned number under the install's secret. Without the secret the ID numbers behind
    a key cannot be tried one by one (there are only about 10^11 of them)."""
    message = b"qhall.identity:" + clean_id_number(number).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def age_on(born: date, day: date) -> int:
    """Return a person's age in whole years on a day (born on 29 February: a year older on
    1 March in a common year)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def card_ticket(
    number: str, *, secret: str, day: date, elderly_age: int, priority: str | None
) -> tuple[str, str | None]:
    """Return the person_key of a card's number and the ticket's priority: the one the
    visitor chose, else "elderly" when they are elderly_age or more on the hall day."""
    number = clean_id_number(number)
    if priority is None and age_on(birth_date(number), day) >= elderly_age:
        priority = "elderly"
    return person_key(number, secret), priority


def check_one_ticket(service: Service, day: date, key: str | None) -> None:
    """Raise Conflict, naming the number, when the person already holds an open ticket of
    the service on the hall day. Called in the unit of work that issues the ticket."""
    if key is None:
        return
    lock_key(f"person:{key}")  # PostgreSQL: a twin request waits here (SQLite: BEGIN IMMEDIATE)
    held = Ticket.get_or_none(
        Ticket.service == service.id,
        Ticket.day == day,
        Ticket.person_key == key,
        Ticket.status.in_(OPEN_STATES),
    )
    if held is not None:
        raise Conflict(
            f"您已取得本业务的 {held.number} 号，请留意叫号。",
            f"You already hold number {held.number} for this service. "
            "Please listen for your number.",
            number=held.number,
        )


def forget_past_keys(unit: Unit, today: date) -> int:
    """Erase the ID card hashes of the unit's tickets of earlier hall days; return how many.
    A key serves one day's rule only, so it does not outlive the day."""
    return (
        Ticket.update(person_key=None)
        .where(Ticket.unit == unit.id, Ticket.day < today, Ticket.person_key.is_null(False))
        .execute()
    )
