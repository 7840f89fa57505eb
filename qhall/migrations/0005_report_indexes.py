"""Indexes for the ledger: cases completed, inquiries resolved and bad ratings opened in a
period, per unit."""

from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_index("case", ("unit_id", "completed_at", "due_day")))
    migrator.migrate(migrator.add_index("inquiry", ("unit_id", "resolved_at", "visits")))
    migrator.migrate(migrator.add_index("rectification", ("unit_id", "opened_at")))


def down(migrator, db):
    migrator.migrate(migrator.drop_index("rectification", "rectification_unit_id_opened_at"))
    migrator.migrate(migrator.drop_index("inquiry", "inquiry_unit_id_resolved_at_visits"))
    migrator.migrate(migrator.drop_index("case", "case_unit_id_completed_at_due_day"))
