"""The database proxy, its connection settings, and the one write-transaction helper."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from peewee import DatabaseProxy, OperationalError, SqliteDatabase
from playhouse.db_url import connect

from qhall.errors import Busy

# Chosen at run time by connect_database(); every model points here.
db = DatabaseProxy()

# SQLite allows one writer at a time. Under gevent its busy wait would block the whole
# process, so writers in one process queue here instead, and SQLite's own busy timeout
# only ever waits for other processes. Replaced in connect_database() so the lock is
# made after gevent has patched threading.
_write_lock: threading.Lock | nullcontext = nullcontext()


def sqlite_url(path: Path) -> str:
    """Return the database URL of an SQLite file."""
    return f"sqlite:///{path}"


def connect_database(url: str, *, synchronous: str = "FULL", busy_timeout_s: float = 30) -> None:
    """Point the models at the database named by url (sqlite:///… or postgresql://…)."""
    global _write_lock
    if url.startswith("sqlite"):
        database = connect(
            url,
            pragmas={
                "journal_mode": "wal",
                "synchronous": synchronous,
                "foreign_keys": 1,
                "cache_size": -16000,
            },
            timeout=busy_timeout_s,
            returning_clause=True,
        )
        _write_lock = threading.Lock()
    else:
        database = connect(url)
        # PostgreSQL locks rows itself; writers in one process need not queue.
        _write_lock = nullcontext()
    db.initialize(database)


def is_sqlite() -> bool:
    """Tell whether the models are on SQLite."""
    return isinstance(db.obj, SqliteDatabase)


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run the block as one transaction that holds the write lock from its first statement.

    SQLite: BEGIN IMMEDIATE, so a transaction that reads and then writes can never fail
    to upgrade its lock half-way. A lock that outlasts the busy timeout becomes Busy, a
    polite 503, never a bare "database is locked".
    """
    with _write_lock:
        try:
            with db.atomic(lock_type="IMMEDIATE") if is_sqlite() else db.atomic():
                yield
        except OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise Busy() from error
            raise
