"""Background work runs in one process at a time, and another takes over when it dies."""

from __future__ import annotations

from qhall.leases import hold, release


def test_one_holder_at_a_time_until_the_lease_runs_out(app, clock):
    assert hold("spooler:T", clock.now(), seconds=30, holder="a")
    assert not hold("spooler:T", clock.now(), seconds=30, holder="b")
    clock.advance(seconds=20)
    assert hold("spooler:T", clock.now(), seconds=30, holder="a")  # renewed to 50 s
    clock.advance(seconds=20)
    assert not hold("spooler:T", clock.now(), seconds=30, holder="b")
    clock.advance(seconds=11)  # "a" stopped renewing: its lease ran out
    assert hold("spooler:T", clock.now(), seconds=30, holder="b")
    assert not hold("spooler:T", clock.now(), seconds=30, holder="a")


def test_leases_are_per_name_and_can_be_given_back(app, clock):
    assert hold("spooler:T", clock.now(), holder="a")
    assert hold("deadlines:T", clock.now(), holder="b")
    release("spooler:T", holder="a")
    assert hold("spooler:T", clock.now(), holder="b")
