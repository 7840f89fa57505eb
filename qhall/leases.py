"""Background work that must run once per unit, not once per server process.

A process that wants to run a piece of work (say "spooler:MZJ") takes its lease for a
short time and renews it while it works; others see the lease held and stay idle. If the
holder dies, its lease runs out and another process takes over. It needs nothing but the
database, so it works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from peewee import IntegrityError

from qhall.db import unit_of_work
from qhall.models import Lease

# This process, as other processes and a person reading the table see it.
PROCESS_ID = f"{socket.gethostname()}:{os.getpid()}"


def hold(name: str, now: datetime, *, seconds: float = 30, holder: str = PROCESS_ID) -> bool:
    """Take or renew the lease on name for `seconds`; tell whether this holder has it."""
    until = now + timedelta(seconds=seconds)
    with unit_of_work():
        taken = (
            Lease.update(holder=holder, expires_at=until)
            .where(Lease.name == name, (Lease.holder == holder) | (Lease.expires_at <= now))
            .execute()
        )
        if taken:
            return True
        if Lease.get_or_none(Lease.name == name) is not None:
            return False
        try:
            Lease.create(name=name, holder=holder, expires_at=until)
        except IntegrityError:  # another process created it first (PostgreSQL)
            return False
        return True


def release(name: str, *, holder: str = PROCESS_ID) -> None:
    """Give the lease back at once, e.g. on shutdown."""
    with unit_of_work():
        Lease.delete().where(Lease.name == name, Lease.holder == holder).execute()
