"""A service's 一次性告知 as structured fields (JSON), and a case's decision (granted or
refused) recorded when its last parallel task is done."""

from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column("service", "told_once", TextField(default="{}")))
    migrator.migrate(migrator.add_column("case", "decision", CharField(default="")))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("case", "decision"))
    migrator.migrate(migrator.drop_column("service", "told_once"))
