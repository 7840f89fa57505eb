"""Text messages to visitors (qhall.texts): the phone a ticket's holder left, the phones
that asked for no more messages (keyed hashes), and one-time codes (keyed hashes)."""

from peewee import *


def up(migrator, db):
    class Ticket(Model):
        class Meta:
            database = db
            table_name = "ticket"

    class TicketPhone(Model):
        ticket = ForeignKeyField(Ticket, unique=True, on_delete="CASCADE")
        phone = CharField(max_length=20)
        near_told = BooleanField(default=False)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "ticket_phone"

    class OptedOutPhone(Model):
        phone_key = CharField(max_length=64, unique=True)
        at = DateTimeField()

        class Meta:
            database = db
            table_name = "opted_out_phone"

    class TextCode(Model):
        phone_key = CharField(max_length=64)
        purpose = CharField(max_length=32)
        code_hash = CharField(max_length=64)
        tries = IntegerField(default=0)
        expires_at = DateTimeField()

        class Meta:
            database = db
            table_name = "text_code"
            indexes = ((("phone_key", "purpose"), False), (("expires_at",), False))

    db.create_tables([TicketPhone, OptedOutPhone, TextCode])


def down(migrator, db):
    for table in ("text_code", "opted_out_phone", "ticket_phone"):
        db.execute_sql(f'DROP TABLE "{table}"')
