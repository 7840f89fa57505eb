"""A ticket's check-in time (qhall.check_in): a phone's ticket is called only once its
holder is in the hall. Tickets already issued were all callable: they count as checked in
when they were issued."""

from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column("ticket", "checked_in_at", DateTimeField(null=True)))
    db.execute_sql("UPDATE ticket SET checked_in_at = issued_at")


def down(migrator, db):
    migrator.migrate(migrator.drop_column("ticket", "checked_in_at"))
