"""Consistent online backups of the embedded SQLite database, and restoring one.

SQLite's backup API copies the database page by page while the server keeps running,
and the copy is a consistent snapshot. PostgreSQL has its own tool: pg_dump.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from qhall.db import db, is_sqlite
from qhall.errors import BadInput

PG_NOTE = (
    "PostgreSQL 数据库请使用 pg_dump 备份、pg_restore 恢复。\n"
    "For PostgreSQL, back up with `pg_dump -Fc -f qhall.dump DATABASE_URL` and restore with "
    "`pg_restore --clean -d DATABASE_URL qhall.dump`."
)


def _require_sqlite() -> None:
    if not is_sqlite():
        raise BadInput(PG_NOTE.splitlines()[0], PG_NOTE.splitlines()[1])


def backup_to(path: Path) -> int:
    """Copy the live database to path as a consistent snapshot; return its page count."""
    _require_sqlite()
    path = Path(path)
    if path.exists():
        raise BadInput(
            "备份文件已存在，请换一个文件名。",
            "The backup file exists already; choose another name.",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with db.connection_context():
        target = sqlite3.connect(path)
        try:
            db.connection().backup(target)
            return target.execute("PRAGMA page_count").fetchone()[0]
        finally:
            target.close()


def restore_from(path: Path) -> None:
    """Replace the live database with a backup after checking that the backup is sound."""
    _require_sqlite()
    source = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True)
    try:
        verdict = source.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BadInput(
                "备份文件已损坏，未恢复。",
                f"The backup is damaged ({verdict}); nothing was restored.",
            )
        with db.connection_context():
            source.backup(db.connection())
    except sqlite3.DatabaseError as error:
        raise BadInput("这不是有效的备份文件。", f"That is not a backup file ({error}).") from error
    finally:
        source.close()
