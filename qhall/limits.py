"""A per-process limit on how often one client may do a thing, over a sliding window.

Kept in memory: with several server processes, nginx's ip_hash sends a client to the
same process every time, so the limit holds across the city."""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from datetime import datetime, timedelta


class SlidingWindowLimit:
    """At most `limit` hits per key within `window_s` seconds."""

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window = timedelta(seconds=window_s)
        self._hits: dict[str, deque[datetime]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str, now: datetime) -> bool:
        """Count a hit for key and tell whether it is within the limit."""
        with self._lock:
            hits = self._hits[key]
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True
