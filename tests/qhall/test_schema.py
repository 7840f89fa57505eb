"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

import sqlite3

from qhall.db import connect_database, db, sqlite_url
from qhall.schema import MODELS, migrate, status


def describe(path) -> dict:
    """Return every table's columns and indexes as SQLite reports them."""
    conn = sqlite3.connect(path)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    shape = {}
    for table in tables:
        if table in ("schema_migration", "sqlite_sequence"):
            continue
        columns = sorted(tuple(r[1:]) for r in conn.execute(f'PRAGMA table_info("{table}")'))
        indexes = sorted(
            (r[2], tuple(c[2] for c in conn.execute(f'PRAGMA index_info("{r[1]}")')))
            for r in conn.execute(f'PRAGMA index_list("{table}")')
        )
        shape[table] = (columns, indexes)
    conn.close()
    return shape


def test_migrations_build_what_the_models_describe(tmp_path):
    connect_database(sqlite_url(tmp_path / "migrated.db"))
    assert migrate() == [name for name, _ in status()]
    assert migrate() == []  # a second run has nothing left to do
    db.close()

    connect_database(sqlite_url(tmp_path / "modelled.db"))
    with db.connection_context():
        db.create_tables(MODELS)
    db.close()
    assert describe(tmp_path / "migrated.db") == describe(tmp_path / "modelled.db")
