"""A per-process limit on how often one client may do a thing, over a sliding window.

Kept in memory: with several server processes, nginx's ip_hash sends a client to the
same process every time, so the limit holds across the city."""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from datetime import datetime, timedelta

# Enough for every phone of a busy city within one window; about 200 bytes a client.
MAX_KEYS = 100_000


class SlidingWindowLimit:
    """At most `limit` hits per key within `window_s` seconds, remembering at most
    `max_keys` keys.

    Memory stays bounded. A key whose hits have all left the window is forgotten: the
    keys are kept in the order of their last hit, so the expired ones are at the front and
    each call forgets them at little cost. Beyond `max_keys` keys within one window, the
    key whose last hit is oldest is forgotten to make room: that quietest client may then
    start afresh, but a newcomer is never refused because strangers filled the table.
    """

    def __init__(self, limit: int, window_s: float, max_keys: int = MAX_KEYS) -> None:
        self.limit = limit
        self.window = timedelta(seconds=window_s)
        self.max_keys = max_keys
        self._hits: OrderedDict[str, deque[datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str, now: datetime) -> bool:
        """Count a hit for key and tell whether it is within the limit."""
        start = now - self.window
        with self._lock:
            self._forget_expired(start)
            hits = self._hits.get(key)
            if hits is None:
                hits = self._hits[key] = deque()
                if len(self._hits) > self.max_keys:
                    self._hits.popitem(last=False)
            while hits and hits[0] <= start:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            self._hits.move_to_end(key)
            return True

    def __len__(self) -> int:
        """Return how many keys are remembered now."""
        return len(self._hits)

    def _forget_expired(self, start: datetime) -> None:
        while self._hits:
            key, hits = next(iter(self._hits.items()))
            if hits and hits[-1] > start:
                return  # the rest were hit later still
            del self._hits[key]
