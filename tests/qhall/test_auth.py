"""Password hashing beside the event loop: a bounded number at a time, busy when full."""

from __future__ import annotations

import threading
import time

import pytest

from qhall.auth import HashPool, authenticate, hash_password
from qhall.errors import Busy
from tests.factories import PASSWORD


def test_hashes_run_in_the_pools_threads_at_most_so_many_at_once():
    pool = HashPool(threads=2, waiting=10)
    lock = threading.Lock()
    running, most, where = 0, 0, set()

    def work():
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            where.add(threading.current_thread().name)
        time.sleep(0.05)
        with lock:
            running -= 1
        return "done"

    results = []
    callers = [threading.Thread(target=lambda: results.append(pool.run(work))) for _ in range(6)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(10)
    assert results == ["done"] * 6
    assert most == 2
    assert all(name.startswith("qhall-hash") for name in where)


def test_beyond_the_waiting_room_a_hash_is_refused_as_busy():
    pool = HashPool(threads=1, waiting=1)
    release = threading.Event()
    callers = [threading.Thread(target=pool.run, args=(release.wait, 10)) for _ in range(2)]
    for caller in callers:
        caller.start()
    deadline = time.monotonic() + 10
    while pool.pending < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    with pytest.raises(Busy):
        pool.run(str, "one too many")
    release.set()
    for caller in callers:
        caller.join(10)
    assert pool.run(str, "room again") == "room again"


def test_passwords_still_hash_and_verify_through_the_pool(app, two_halls):
    assert hash_password(PASSWORD).startswith("$argon2")
    assert authenticate("clerk", PASSWORD).login == "clerk"
    assert authenticate("clerk", "wrong") is None
    assert authenticate("nobody", PASSWORD) is None


def test_a_hash_made_with_more_lanes_still_signs_in_and_is_remade_with_one(app):
    from argon2 import PasswordHasher

    from qhall.auth import authenticate
    from qhall.models import Staff
    from tests.factories import gen_staff, gen_unit

    clerk = gen_staff("clerk", gen_unit())
    old = PasswordHasher(parallelism=4).hash("an-old-password")
    Staff.update(password_hash=old).where(Staff.id == clerk.id).execute()
    assert authenticate("clerk", "an-old-password").id == clerk.id
    remade = Staff.get_by_id(clerk.id).password_hash
    assert remade != old and ",p=1$" in remade
    assert authenticate("clerk", "an-old-password").id == clerk.id
    assert authenticate("clerk", "wrong") is None
