"""The outbox (qhall.outbox): every message to the outside, from its writing in the
transaction of what it reports to its delivery."""

from peewee import *


def up(migrator, db):
    class Unit(Model):
        class Meta:
            database = db
            table_name = "unit"

    class OutboxMessage(Model):
        channel = CharField()
        recipient = CharField()
        key = CharField(unique=True)
        unit = ForeignKeyField(Unit, null=True, on_delete="SET NULL")
        payload = TextField()
        personal = BooleanField(default=False)
        state = CharField(default="pending")
        attempts = IntegerField(default=0)
        created_at = DateTimeField()
        next_attempt_at = DateTimeField()
        sent_at = DateTimeField(null=True)
        last_error = TextField(default="")

        class Meta:
            database = db
            table_name = "outbox_message"
            indexes = (
                (("channel", "state", "next_attempt_at"), False),
                (("channel", "recipient", "state"), False),
                (("created_at",), False),
            )

    db.create_tables([OutboxMessage])


def down(migrator, db):
    db.execute_sql('DROP TABLE "outbox_message"')
