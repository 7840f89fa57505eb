"""The database proxy, its connection settings, and the one write-transaction helper."""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from peewee import DatabaseProxy, OperationalError, SqliteDatabase
from playhouse.db_url import connect

from qhall.errors import Busy, StorageFull

log = logging.getLogger(__name__)

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
        # A pool keeps connections open between requests: opening one costs a file open
        # and the pragmas, and closing the last one checkpoints the whole WAL.
        database = connect(
            url.replace("sqlite://", "sqlite+pool://", 1),
            pragmas={
                "journal_mode": "wal",
                "synchronous": synchronous,
                "foreign_keys": 1,
                "cache_size": -16000,
                # Reads through the OS page cache, shared by every pooled connection: a
                # year's ledger scans its indexes about twice as fast (scripts/bench_reports.py).
                "mmap_size": 1 << 30,
            },
            timeout=busy_timeout_s,
            returning_clause=True,
            max_connections=64,
            stale_timeout=600,
            # The pool hands a connection to one thread at a time, so it may move.
            check_same_thread=False,
        )
        _write_lock = SqliteWriteLock(database.database)
    else:
        _make_psycopg_cooperative()
        # A pool: opening a PostgreSQL connection per request would cost milliseconds.
        pooled = url.replace("postgresql://", "postgresql+pool://", 1).replace(
            "postgres://", "postgres+pool://", 1
        )
        database = connect(pooled, max_connections=32, stale_timeout=300)
        # PostgreSQL locks rows itself; writers in one process need not queue.
        _write_lock = nullcontext()
    db.initialize(database)


def _make_psycopg_cooperative() -> None:
    """Under gevent, let a greenlet waiting on PostgreSQL yield to the others."""
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a dependency
        return
    if monkey.is_module_patched("socket"):
        from psycogreen.gevent import patch_psycopg

        patch_psycopg()


def lock_key(key: str) -> None:
    """Hold a lock on key until the current transaction ends (PostgreSQL; on SQLite every
    write transaction already excludes the others)."""
    if not is_sqlite():
        db.execute_sql("SELECT pg_advisory_xact_lock(hashtext(%s))", (key,))


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
            # SQLite's lock outlasting the timeout, or PostgreSQL breaking a deadlock: the
            # transaction was rolled back whole, and the client may retry with its key.
            if any(word in str(error) for word in ("locked", "busy", "deadlock")):
                raise Busy() from error
            # A full disk: nothing was written, and a person must make room.
            if "full" in str(error) or "No space left" in str(error):
                log.critical("the database cannot grow: %s", error)
                raise StorageFull() from error
            raise
