"""The one runner of the hall's write actions: a transaction, its idempotency key, and
the events to publish once it has committed."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from qhall.db import lock_key, write_transaction
from qhall.events import Outcome
from qhall.models import IdempotencyRecord

Work = Callable[[list[dict]], object]


def perform(request_key: str | None, scope: str, now: datetime, work: Work) -> Outcome:
    """Run work(events) in one write transaction and return its result and events.

    Sent again with the same request key (a double touch, a replay after a network drop),
    it changes nothing and returns the first result, with no events to publish again.
    """
    key = f"{scope}:{request_key}" if request_key else None
    events: list[dict] = []
    with write_transaction():
        if key:
            lock_key(key)  # a concurrent twin waits here, then finds the stored result
            done = IdempotencyRecord.get_or_none(IdempotencyRecord.key == key)
            if done is not None:
                return Outcome(json.loads(done.result), [], replayed=True)
        result = work(events)
        if key:
            IdempotencyRecord.create(
                key=key, result=json.dumps(result, ensure_ascii=False), created_at=now
            )
    return Outcome(result, events)
