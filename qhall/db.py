"""The database proxy, its connection settings, and the unit of work: the one way to write.

Every write in qhall runs inside `unit_of_work()`: one transaction, the request's
idempotency key, and the events recorded on the way (qhall.events.record), which the
caller publishes once the commit has succeeded.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peewee import DatabaseProxy, OperationalError, SqliteDatabase
from playhouse.db_url import connect
from playhouse.pool import MaxConnectionsExceeded

from qhall.errors import Busy, KeyReused, StorageFull

if TYPE_CHECKING:
    from qhall.events import Outcome

log = logging.getLogger(__name__)

# Chosen at run time by connect_database(); every model points here.
db = DatabaseProxy()


class FairLock:
    """A lock that hands itself to the writer that has waited longest.

    A plain lock lets the greenlet that releases it take it again before the woken waiter
    runs, so one busy keep-alive kiosk could hold the write path while others starve
    (issue 16: one connection got 701 of 1,109 answers while another waited 12 s).
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._waiters: deque = deque()

    def acquire(self) -> None:
        with self._mutex:
            if not self._held:
                self._held = True
                return
            turn = threading.Lock()
            turn.acquire()
            self._waiters.append(turn)
        try:
            turn.acquire()  # released by the writer before us: the lock is ours
        except BaseException:
            with self._mutex:
                handed = turn not in self._waiters
                if not handed:
                    self._waiters.remove(turn)
            if handed:
                self.release()  # given to us as we gave up: pass it on
            raise

    def release(self) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().release()  # still held: now by the next in line
            else:
                self._held = False


class SqliteWriteLock:
    """One SQLite writer at a time: first among this process's threads or greenlets, then
    among processes.

    Under gevent SQLite's busy wait would block the whole process, so writers in one process
    queue on a (patched) lock instead. Between processes, SQLite's busy handler sleeps and
    polls, and under load a process can lose every race until its timeout runs out; an
    flock on a file beside the database wakes a waiter as soon as the lock is free.
    """

    def __init__(self, database_path: str) -> None:
        self._threads = FairLock()
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


def connect_database(
    url: str, *, synchronous: str = "FULL", busy_timeout_s: float = 30, pool_size: int = 32
) -> None:
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
                # Deleted bytes are overwritten with zeros, so that an erased name or phone
                # leaves the file (qhall.retention); writes and purges measured no slower
                # (zeroing happens in pages the write changes anyway).
                "secure_delete": 1,
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
        # A request that finds every connection in use waits its turn (a greenlet's wait
        # yields to the others: the pool's condition is made after gevent patched threading).
        database = connect(
            pooled, max_connections=pool_size, stale_timeout=300, timeout=POOL_WAIT_S
        )
        database.connect = _busy_when_pool_runs_dry(database.connect)
        # PostgreSQL locks rows itself; writers in one process need not queue.
        _write_lock = nullcontext()
    db.initialize(database)


# How long a request waits for a free PostgreSQL connection before it is told "busy".
POOL_WAIT_S = 10


def _busy_when_pool_runs_dry(connect_to_pool):
    """Wrap a pool's connect so that a wait for a connection that runs out is Busy, a polite
    503 (or a screen's polite refusal to join), not a 500."""

    def connect_or_busy(reuse_if_open: bool = False):
        try:
            return connect_to_pool(reuse_if_open)
        except MaxConnectionsExceeded as error:
            log.warning("no database connection came free within %s s", POOL_WAIT_S)
            raise Busy() from error

    return connect_or_busy


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


def checkpoint() -> None:
    """Copy SQLite's write-ahead log into the database file and empty it, so that what a
    write erased is in neither file (qhall.retention); nothing to do on PostgreSQL."""
    if is_sqlite():
        with _write_lock:  # behind this process's writers, not racing them for the lock
            db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")


@contextmanager
def _write_transaction() -> Iterator[None]:
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


@dataclass(frozen=True)
class RequestKey:
    """A client's Idempotency-Key as the web layer binds it (qhall.web.request.request_key):
    key, a hash of the caller, the route and the client's key, names the kept answer, so
    that nobody else's request finds it; fingerprint, a hash of the request itself, tells
    a repeat from another request sent with the same key."""

    key: str
    fingerprint: str = ""

    def __str__(self) -> str:
        # Where a key is kept as text (the print queue's job keys), the bound key is kept.
        return self.key


@dataclass
class UnitOfWork:
    """One write in progress: its idempotency key, the events recorded so far, and, when
    the key was seen before, the first outcome to answer with instead."""

    key: str | None
    now: datetime | None  # when the answer for the key is kept
    fingerprint: str = ""
    # Events recorded inside a joined unit go to the outer one, published after its commit.
    events: list[dict] = field(default_factory=list)
    outcome: Outcome | None = None
    finished: bool = False

    @property
    def replayed(self) -> bool:
        """Tell whether this key was done before: answer with self.outcome, change nothing."""
        return self.outcome is not None and self.outcome.replayed

    def finish(self, result: Any) -> Outcome:
        """Keep the result for a repeat of the key; return it with the events to publish."""
        from qhall.events import Outcome  # qhall.events and the models import this module
        from qhall.models import IdempotencyRecord
        from qhall.retention import mask_personal

        if self.key:
            # The kept answer outlives the request by a day (qhall.retention): it keeps no
            # visitor's name or phone in full, so a repeat answers with them masked. The
            # client that sent the key got them in full the first time.
            IdempotencyRecord.create(
                key=self.key,
                fingerprint=self.fingerprint,
                result=json.dumps(mask_personal(result), ensure_ascii=False),
                created_at=self.now,
            )
        self.finished = True
        self.outcome = Outcome(result, self.events)
        return self.outcome

    def _look_up_key(self) -> None:
        from qhall.events import Outcome
        from qhall.models import IdempotencyRecord

        if self.key:
            lock_key(self.key)  # a concurrent twin waits here, then finds the stored result
            done = IdempotencyRecord.get_or_none(IdempotencyRecord.key == self.key)
            if done is None:
                return
            if done.fingerprint and done.fingerprint != self.fingerprint:
                raise KeyReused()  # the transaction rolls back: nothing is written
            self.outcome = Outcome(json.loads(done.result), [], replayed=True)

    def _check_finished(self) -> None:
        # Without finish() the key would not be kept (a repeat would do the work again)
        # and the recorded events would never be published.
        if not self.replayed and not self.finished and (self.key or self.events):
            raise RuntimeError("a unit of work that has a key or events must end with finish()")


# The unit of work in progress in this thread or greenlet (each has its own context).
_current: ContextVar[UnitOfWork | None] = ContextVar("qhall_unit_of_work", default=None)

# Writers that see each unit of work's events just before it commits (qhall.texts writes a
# visitor's text message on a call): what they write commits or rolls back with the fact.
_before_commit: list[Callable[[UnitOfWork], None]] = []


def before_commit(writer: Callable[[UnitOfWork], None]) -> Callable[[UnitOfWork], None]:
    """Register writer(uow) to run in every outermost unit of work that recorded events,
    after its block and before its commit, inside its transaction; an error in it rolls
    the unit back, so a writer that must never stop the fact guards itself."""
    if writer not in _before_commit:
        _before_commit.append(writer)
    return writer


@contextmanager
def unit_of_work(
    request_key: str | RequestKey | None = None, scope: str = "", now: datetime | None = None
) -> Iterator[UnitOfWork]:
    """Run the block as one write transaction, the one way qhall writes:

        with unit_of_work(request_key, f"call:{unit_code}:{window}", now) as uow:
            if uow.replayed:
                return uow.outcome  # the first answer; nothing changes, nothing to publish
            ...  # reads, writes, events.record(...)
            return uow.finish(result)  # keeps the answer for the key; result and events

    A request key (the client's Idempotency-Key, per scope) makes the write happen once:
    sent again it finds the first answer; scope and now name and date the kept answer.
    A RequestKey from the web layer is the caller's own, and the same key with another
    request is KeyReused (422); a plain str (tests, the CLI) has no fingerprint.
    Background and set-up writes have no key: `with unit_of_work():`. A unit
    of work opened inside another joins it: same transaction, its events published with
    the outer one's.
    """
    if isinstance(request_key, str):
        request_key = RequestKey(request_key) if request_key else None
    key = f"{scope}:{request_key.key}" if request_key else None
    fingerprint = request_key.fingerprint if request_key else ""
    outer = _current.get()
    if outer is not None:
        joined = UnitOfWork(key, now, fingerprint)
        joined._look_up_key()
        yield joined
        joined._check_finished()
        return
    uow = UnitOfWork(key, now, fingerprint)
    token = _current.set(uow)
    try:
        with _write_transaction():
            uow._look_up_key()
            yield uow
            uow._check_finished()
            for writer in _before_commit if uow.events else ():
                writer(uow)
    finally:
        _current.reset(token)


def current_unit_of_work() -> UnitOfWork:
    """Return the unit of work in progress; RuntimeError outside one."""
    uow = _current.get()
    if uow is None:
        raise RuntimeError("events are recorded inside a unit_of_work() block, and only there")
    return uow
