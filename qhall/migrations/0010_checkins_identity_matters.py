"""Bookings checked in at the kiosk (their time and ticket), the ID card's keyed hash on
tickets and bookings (qhall.identity), and for the 好差评 platform the service's item code
(事项编码) and the visit's matter number (办件编号)."""

from peewee import *


def up(migrator, db):
    class Ticket(Model):
        id = AutoField()

        class Meta:
            database = db
            table_name = "ticket"

    migrator.migrate(
        migrator.add_column("service", "item_code", CharField(default="")),
        migrator.add_column("ticket", "person_key", CharField(null=True)),
        migrator.add_column("ticket", "matter_number", CharField(null=True)),
        migrator.add_index("ticket", ("service_id", "day", "person_key"), False),
        migrator.add_column("booking", "checked_in_at", DateTimeField(null=True)),
        migrator.add_column(
            "booking",
            "ticket_id",
            ForeignKeyField(Ticket, field=Ticket.id, null=True, on_delete="SET NULL"),
        ),
        migrator.add_column("booking", "person_key", CharField(null=True)),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column("booking", "person_key"),
        migrator.drop_column("booking", "ticket_id"),
        migrator.drop_column("booking", "checked_in_at"),
        migrator.drop_index("ticket", "ticket_service_id_day_person_key"),
        migrator.drop_column("ticket", "matter_number"),
        migrator.drop_column("ticket", "person_key"),
        migrator.drop_column("service", "item_code"),
    )
