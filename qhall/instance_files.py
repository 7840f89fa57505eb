"""The instance folder and the SQLite database are the server's own: visitors' names and
phones, password hashes and the session secret are in them, so no other account on the
machine may read them. The folder is 0700, the database file and its -wal, -shm and .lock
beside it 0600; a looser folder or file made by an older qhall, or by hand, is tightened at
start and the log says so."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

FOLDER_MODE = 0o700
FILE_MODE = 0o600
# SQLite makes its -wal and -shm files with the database file's own mode.
DATABASE_COMPANIONS = ("", "-wal", "-shm", "-journal", ".lock")


def sqlite_path(database_url: str) -> Path | None:
    """Return the file of an SQLite URL (sqlite:///path), or None for another database."""
    if not database_url.startswith("sqlite:///"):
        return None
    path = database_url.removeprefix("sqlite:///").split("?", 1)[0]
    return None if path in ("", ":memory:") else Path(path)


def make_private_folder(folder: Path) -> None:
    """Make the instance folder readable by this process's user only, or tighten it."""
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    _tighten(folder, FOLDER_MODE)


def make_private_database(database_url: str) -> None:
    """Make the SQLite database file, if there is none yet, readable by this process's user
    only; tighten it and its companions if looser. Another database is left alone."""
    database = sqlite_path(database_url)
    if database is None:
        return
    database.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    # Made empty here with the right mode (SQLite takes an empty file for a new database),
    # so that there is no moment when it is readable by others.
    os.close(os.open(database, os.O_CREAT | os.O_WRONLY, FILE_MODE))
    for suffix in DATABASE_COMPANIONS:
        path = database.with_name(database.name + suffix)
        if path.exists():
            _tighten(path, FILE_MODE)


def _tighten(path: Path, mode: int) -> None:
    current = stat.S_IMODE(path.stat().st_mode)
    if not current & ~mode:
        return
    try:
        path.chmod(current & mode)
    except OSError as error:  # another user's file: say so, and let the server start
        log.warning("无法收紧 %s 的权限 Could not tighten %s: %s", path, path, error)
        return
    log.warning(
        "收紧了 %s 的权限 Tightened the permissions of %s: %o -> %o (owner only).",
        path, path, current, current & mode,
    )  # fmt: skip
