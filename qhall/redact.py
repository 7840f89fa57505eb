"""Secrets kept out of log lines: a ticket's token in an address (/t/<token>, …) and the
values of a query string (a kiosk's ?device=<secret>). Plain text in, plain text out, so
that gunicorn's access log and the application's own logging use the same rule."""

from __future__ import annotations

import logging
import re

HIDDEN = "…"

# Paths whose next segment is a ticket's token: whoever holds it follows, cancels and
# rates the visit, so it is as good as a password for that ticket.
TOKEN_PATHS = re.compile(r"(/(?:t|counter/rating|api/tickets))/[^/?#\s\"']+")
# Every value of a query string: ?device= carries a kiosk's secret, and no query a
# visitor's browser sends is needed to read the log.
QUERY_VALUES = re.compile(r"([?&][^=&#\s\"']*)=[^&#\s\"']*")


def redact(text: str) -> str:
    """Return text with ticket tokens in paths and query string values replaced by …."""
    if "/" not in text and "=" not in text:
        return text
    return QUERY_VALUES.sub(rf"\1={HIDDEN}", TOKEN_PATHS.sub(rf"\1/{HIDDEN}", text))


class RedactingFilter(logging.Filter):
    """A logging filter for handlers: each record's message goes out redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True
