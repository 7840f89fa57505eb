"""The supervision records: the audit trail, inspections and their findings, notices to
units, and the monthly selections. Beside qhall.models, which holds the hall's own."""

from __future__ import annotations

from peewee import CharField, DateField, DateTimeField, FloatField, ForeignKeyField, TextField

from qhall.models import BaseModel, Counter, Staff, Unit

FINDING_CATEGORIES = ("cold", "rigid", "delaying", "obstructing", "other")  # 冷 硬 拖 卡 其他
INSPECTION_KINDS = ("scheduled", "unannounced")
NOTICE_STATES = ("published", "responded", "closed")
SELECTION_KINDS = ("model_window", "service_star")


class AuditEntry(BaseModel):
    """One audited act: a configuration change (with the record before and after), a role
    or password given, a token issued or revoked, a sign-in, an export or an erasure."""

    at = DateTimeField()
    staff = ForeignKeyField(Staff, null=True, backref="+", on_delete="SET NULL")
    unit = ForeignKeyField(Unit, null=True, backref="+", on_delete="SET NULL")
    action = CharField()  # "service.update", "staff.create", ...
    target = CharField()  # "MZJ/A", "MZJ/window 3", a login, ...
    before = TextField(default="null")  # JSON of the fields, or null for a creation
    after = TextField(default="null")

    class Meta:
        indexes = ((("unit", "at"), False), (("at",), False))


class Inspection(BaseModel):
    """A visit of the inspection team (督查), scheduled or unannounced, with its findings."""

    unit = ForeignKeyField(Unit, on_delete="CASCADE")
    counter = ForeignKeyField(Counter, null=True, backref="+", on_delete="SET NULL")
    staff = ForeignKeyField(Staff, null=True, backref="+", on_delete="SET NULL")  # inspected
    inspector = ForeignKeyField(Staff, backref="+")
    kind = CharField(default="scheduled")  # one of INSPECTION_KINDS
    visited_on = DateField()
    summary = TextField(default="")
    created_at = DateTimeField()

    class Meta:
        indexes = ((("unit", "visited_on"), False),)


class Finding(BaseModel):
    """What an inspection found: cold, rigid, delaying, obstructing (冷硬拖卡) or other."""

    inspection = ForeignKeyField(Inspection, backref="findings", on_delete="CASCADE")
    category = CharField()  # one of FINDING_CATEGORIES
    description = TextField()
    evidence = TextField(default="")  # notes on photos, recordings, witnesses
    counter = ForeignKeyField(Counter, null=True, backref="+", on_delete="SET NULL")
    staff = ForeignKeyField(Staff, null=True, backref="+", on_delete="SET NULL")


class Notice(BaseModel):
    """A published notice (通报) with a rectification deadline (限期整改), tracked to closure."""

    number = CharField(unique=True)  # "TB-2026-001"
    unit = ForeignKeyField(Unit, on_delete="CASCADE")
    inspection = ForeignKeyField(Inspection, null=True, backref="notices", on_delete="SET NULL")
    title = CharField()
    body = TextField()
    deadline = DateField()
    status = CharField(default="published")  # one of NOTICE_STATES
    published_at = DateTimeField()
    published_by = ForeignKeyField(Staff, backref="+")
    response = TextField(default="")
    responded_at = DateTimeField(null=True)
    responded_by = ForeignKeyField(Staff, null=True, backref="+")
    closed_at = DateTimeField(null=True)
    closed_by = ForeignKeyField(Staff, null=True, backref="+")
    close_note = TextField(default="")

    class Meta:
        indexes = ((("unit", "status"), False),)


class Selection(BaseModel):
    """A month's model window or service star (争先进位), confirmed by the unit's manager."""

    unit = ForeignKeyField(Unit, on_delete="CASCADE")
    month = DateField()  # the first day of the month the figures are from
    kind = CharField()  # one of SELECTION_KINDS
    counter = ForeignKeyField(Counter, null=True, backref="+", on_delete="SET NULL")
    staff = ForeignKeyField(Staff, null=True, backref="+", on_delete="SET NULL")
    score = FloatField()
    confirmed_by = ForeignKeyField(Staff, backref="+")
    confirmed_at = DateTimeField()

    class Meta:
        indexes = ((("unit", "month", "kind"), True),)
