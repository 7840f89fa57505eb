"""The database proxy, its connection settings, and the one write-transaction helper."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from peewee import DatabaseProxy, OperationalError, SqliteDatabase
from playhouse.db_url import connect

from qhall.errors import Busy

# Chosen at run time by connect_database(); every model points here.
db = DatabaseProxy()



class SqliteWriteLock:
    """One SQLite writer at a time: first among this process's threads or greenlets, then
    among processes.

    Under gevent SQLite's busy wait would block the whole process, so writers in one process
    queue on a (patched) lock instead. Between processes, SQLite's busy handler sleeps and
    polls, and under load a process can lose every race until its timeout runs out; an
    flock on a file beside the database wakes a waiter as soon as the lock is free.
    """

    def __init__(self, database_path: str) -> None:
        self._threads = threading.Lock()
        self._path = None if database_path in ("", ":memory:") else f"{database_path}.lock"
        self._file = None
        self._pid = 0

    def __enter__(self) -> None:
        self._threads.acquire()
        try:
            if self._path:
                fcntl.flock(self._lock_file(), fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def __exit__(self, *exc_info) -> None:
        try:
            if self._path:
                fcntl.flock(self._file, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def _lock_file(self):
        # A forked child must not share its parent's open file: flock locks belong to it.
        if self._file is None or self._pid != os.getpid():
            self._file = open(self._path, "a+b")  # noqa: SIM115 - held for the process's life
            self._pid = os.getpid()
        return self._file


# Replaced in connect_database(), so that the lock is made after gevent has patched threading.
_write_lock: SqliteWriteLock | nullcontext = nullcontext()


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
        _write_lock = SqliteWriteLock(database.database)
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
