"""Ratings record their channel, device, dimensions, reasons and call-back number; a
rectification its reviewer, call-back answer, closing, appeal decision and escalation."""

from peewee import *


def up(migrator, db):
    class Staff(Model):
        class Meta:
            database = db
            table_name = "staff"

    migrator.migrate(migrator.add_column("rating", "device", CharField(default="")))
    migrator.migrate(migrator.add_column("rating", "efficiency", IntegerField(null=True)))
    migrator.migrate(migrator.add_column("rating", "competence", IntegerField(null=True)))
    migrator.migrate(migrator.add_column("rating", "attitude", IntegerField(null=True)))
    migrator.migrate(migrator.add_column("rating", "reasons", TextField(default="[]")))
    migrator.migrate(migrator.add_column("rating", "question_set", CharField(default="")))
    migrator.migrate(migrator.add_column("rating", "callback_phone", CharField(default="")))
    migrator.migrate(
        migrator.add_column(
            "rectification", "reviewer_id", ForeignKeyField(Staff, field=Staff.id, null=True)
        )
    )
    migrator.migrate(migrator.add_column("rectification", "callback_answer", CharField(default="")))
    migrator.migrate(
        migrator.add_column(
            "rectification", "closed_by_id", ForeignKeyField(Staff, field=Staff.id, null=True)
        )
    )
    migrator.migrate(migrator.add_column("rectification", "close_note", TextField(default="")))
    migrator.migrate(migrator.add_column("rectification", "appealed_at", DateTimeField(null=True)))
    migrator.migrate(migrator.add_column("rectification", "appeal_decision", CharField(default="")))
    migrator.migrate(
        migrator.add_column("rectification", "appeal_decided_at", DateTimeField(null=True))
    )
    migrator.migrate(migrator.add_column("rectification", "appeal_note", TextField(default="")))
    migrator.migrate(migrator.add_column("rectification", "escalated_at", DateTimeField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_index("rectification", "rectification_reviewer_id"))
    migrator.migrate(migrator.drop_index("rectification", "rectification_closed_by_id"))
    migrator.migrate(migrator.drop_column("rectification", "escalated_at"))
    migrator.migrate(migrator.drop_column("rectification", "appeal_note"))
    migrator.migrate(migrator.drop_column("rectification", "appeal_decided_at"))
    migrator.migrate(migrator.drop_column("rectification", "appeal_decision"))
    migrator.migrate(migrator.drop_column("rectification", "appealed_at"))
    migrator.migrate(migrator.drop_column("rectification", "close_note"))
    migrator.migrate(migrator.drop_column("rectification", "closed_by_id"))
    migrator.migrate(migrator.drop_column("rectification", "callback_answer"))
    migrator.migrate(migrator.drop_column("rectification", "reviewer_id"))
    migrator.migrate(migrator.drop_column("rating", "callback_phone"))
    migrator.migrate(migrator.drop_column("rating", "question_set"))
    migrator.migrate(migrator.drop_column("rating", "reasons"))
    migrator.migrate(migrator.drop_column("rating", "attitude"))
    migrator.migrate(migrator.drop_column("rating", "competence"))
    migrator.migrate(migrator.drop_column("rating", "efficiency"))
    migrator.migrate(migrator.drop_column("rating", "device"))
