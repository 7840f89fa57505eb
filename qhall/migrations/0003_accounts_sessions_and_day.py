"""Sessions end when their account's version moves; bearer tokens have a name, an expiry
and a revocation; a kept idempotent answer has its body's fingerprint; a hall its day's
turn; a matter the time of its last activity, from which one never ended is erased.

The answers kept so far are deleted: they were bound to no caller and held visitors' names
and phones unmasked, and a kept answer matters for a day at most."""

from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column("unit", "day_starts_at", CharField(default="00:00")))
    migrator.migrate(migrator.add_column("unit", "round_the_clock", BooleanField(default=False)))
    migrator.migrate(migrator.add_column("staff", "session_version", IntegerField(default=0)))
    migrator.migrate(migrator.add_column("api_token", "name", CharField(default="")))
    migrator.migrate(migrator.add_column("api_token", "expires_at", DateTimeField(null=True)))
    migrator.migrate(migrator.add_column("api_token", "revoked_at", DateTimeField(null=True)))
    migrator.migrate(
        migrator.add_column("idempotency_record", "fingerprint", CharField(default=""))
    )
    migrator.migrate(migrator.add_index("idempotency_record", ("created_at",)))
    db.execute_sql("DELETE FROM idempotency_record")
    migrator.migrate(migrator.add_column("inquiry", "last_activity_at", DateTimeField(null=True)))
    migrator.migrate(migrator.add_column("case", "last_activity_at", DateTimeField(null=True)))
    # What the rows tell of the last activity so far; a return visit left no date on a row.
    db.execute_sql("UPDATE inquiry SET last_activity_at = COALESCE(resolved_at, created_at)")
    db.execute_sql(
        'UPDATE "case" SET last_activity_at = COALESCE(completed_at, suspended_at, accepted_at)'
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_column("case", "last_activity_at"))
    migrator.migrate(migrator.drop_column("inquiry", "last_activity_at"))
    migrator.migrate(migrator.drop_index("idempotency_record", "idempotency_record_created_at"))
    migrator.migrate(migrator.drop_column("idempotency_record", "fingerprint"))
    migrator.migrate(migrator.drop_column("api_token", "revoked_at"))
    migrator.migrate(migrator.drop_column("api_token", "expires_at"))
    migrator.migrate(migrator.drop_column("api_token", "name"))
    migrator.migrate(migrator.drop_column("staff", "session_version"))
    migrator.migrate(migrator.drop_column("unit", "round_the_clock"))
    migrator.migrate(migrator.drop_column("unit", "day_starts_at"))
