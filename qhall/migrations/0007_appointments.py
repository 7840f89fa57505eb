"""Appointments (预约): a service's booking plan and the visitors' bookings."""

from peewee import *


def up(migrator, db):
    class Unit(Model):
        class Meta:
            database = db
            table_name = "unit"

    class Service(Model):
        class Meta:
            database = db
            table_name = "service"

    class BookingPlan(Model):
        service = ForeignKeyField(Service, unique=True, on_delete="CASCADE")
        slot_minutes = IntegerField(default=30)
        capacity = IntegerField(default=4)
        weekdays = CharField(default="")
        hours = CharField(default="")
        days_ahead = IntegerField(default=7)
        follows_calendar = BooleanField(default=True)
        active = BooleanField(default=True)

        class Meta:
            database = db
            table_name = "booking_plan"

    class Booking(Model):
        unit = ForeignKeyField(Unit, on_delete="CASCADE")
        service = ForeignKeyField(Service, on_delete="CASCADE")
        day = DateField()
        start = CharField(max_length=5)
        visitor_name = CharField(default="")
        visitor_phone = CharField(default="")
        code = CharField(max_length=8, unique=True)
        state = CharField(default="booked")
        source = CharField(default="web")
        created_at = DateTimeField()
        changed_at = DateTimeField()

        class Meta:
            database = db
            table_name = "booking"
            indexes = (
                (("service", "day", "start"), False),
                (("visitor_phone", "day"), False),
                (("unit", "day"), False),
            )

    db.create_tables([BookingPlan, Booking])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("booking"))
    migrator.migrate(migrator.drop_table("booking_plan"))
