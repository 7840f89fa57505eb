"""The per-client limit: a few hits per window, and a memory that stays bounded."""

from __future__ import annotations

from datetime import datetime, timedelta

from qhall.limits import SlidingWindowLimit

T0 = datetime(2026, 11, 26, 2, 0, 0)


def test_a_client_gets_its_hits_back_as_the_window_slides():
    limit = SlidingWindowLimit(2, window_s=60)
    assert [limit.allow("a", T0) for _ in range(3)] == [True, True, False]
    assert limit.allow("b", T0)  # each client counts apart
    assert not limit.allow("a", T0 + timedelta(seconds=59))
    assert limit.allow("a", T0 + timedelta(seconds=60))


def test_clients_whose_hits_have_all_expired_are_forgotten():
    limit = SlidingWindowLimit(5, window_s=60)
    for n in range(1000):
        limit.allow(f"198.51.100.{n}", T0 + timedelta(milliseconds=n))
    assert len(limit) == 1000
    # One client later: every other one's window is over, and only it is remembered.
    assert limit.allow("203.0.113.7", T0 + timedelta(seconds=61))
    assert len(limit) == 1


def test_a_client_still_limited_is_not_forgotten_by_the_sweep():
    limit = SlidingWindowLimit(1, window_s=60)
    limit.allow("old", T0)
    limit.allow("busy", T0 + timedelta(seconds=30))
    assert limit.allow("new", T0 + timedelta(seconds=61))
    assert len(limit) == 2  # "old" expired, "busy" is still inside its window
    assert not limit.allow("busy", T0 + timedelta(seconds=62))


def test_beyond_max_keys_the_quietest_client_is_forgotten_and_a_newcomer_is_served():
    limit = SlidingWindowLimit(1, window_s=600, max_keys=3)
    for n, key in enumerate(["a", "b", "c"]):
        assert limit.allow(key, T0 + timedelta(seconds=n))
    assert limit.allow("d", T0 + timedelta(seconds=3))  # never refused for want of room
    assert len(limit) == 3
    assert limit.allow("a", T0 + timedelta(seconds=4))  # "a" was the oldest: forgotten
    assert not limit.allow("c", T0 + timedelta(seconds=5))  # the others still count
    assert not limit.allow("d", T0 + timedelta(seconds=5))
    assert len(limit) == 3


def test_a_flood_of_addresses_keeps_memory_at_the_cap():
    limit = SlidingWindowLimit(20, window_s=600, max_keys=500)
    for n in range(20_000):
        limit.allow(f"2001:db8::{n:x}", T0 + timedelta(milliseconds=n))
    assert len(limit) == 500
