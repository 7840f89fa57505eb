"""The second-generation ID card (居民身份证) as qhall may keep it: never the number, only a
keyed hash of it (person_key) under the install's own secret, so that a ticket or booking
can be matched to the card that made it without the number being stored or shown. The
hashes are erased at the end of the hall day they serve (qhall.routine).

An ID number is 17 digits and a check character (GB 11643-1999, ISO 7064 MOD 11-2);
digits 7 to 14 are the birth date.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

from qhall.errors import BadInput

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
