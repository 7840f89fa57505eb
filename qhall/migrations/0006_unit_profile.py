"""A unit's profile (qhall.profiles): how its screens, calls and tickets address people.
Every unit so far is a standard one; the demo's funeral home and cemeteries are seeded
dignified."""

from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column("unit", "profile", CharField(default="standard")))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("unit", "profile"))
