"""The schema as it was first released: every table and index of qhall 0.1."""

from peewee import *


def up(migrator, db):
    class Unit(Model):
        code = CharField(unique=True, max_length=16)
        name_zh = CharField()
        name_en = CharField()
        timezone = CharField(default="Asia/Shanghai")
        priority_streak_limit = IntegerField(default=2)
        no_show_grace_s = IntegerField(default=1800)
        seq = BigIntegerField(default=0)

        class Meta:
            database = db
            table_name = "unit"

    db.create_tables([Unit])

    class Staff(Model):
        login = CharField(unique=True)
        name = CharField()
        employee_no = CharField(default="")
        role = CharField(default="staff")
        unit = ForeignKeyField(Unit, null=True, on_delete="SET NULL")
        password_hash = CharField()
        active = BooleanField(default=True)
        badges = CharField(default="")
        photo = CharField(default="")

        class Meta:
            database = db
            table_name = "staff"

    db.create_tables([Staff])

    class ApiToken(Model):
        staff = ForeignKeyField(Staff, on_delete="CASCADE")
        token_hash = CharField(unique=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "api_token"

    db.create_tables([ApiToken])

    class AuditEntry(Model):
        at = DateTimeField()
        staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
        unit = ForeignKeyField(Unit, null=True, on_delete="SET NULL")
        action = CharField()
        target = CharField()
        before = TextField(default="null")
        after = TextField(default="null")

        class Meta:
            database = db
            table_name = "audit_entry"
            indexes = ((("unit", "at"), False), (("at",), False))

    db.create_tables([AuditEntry])

    class CalendarDay(Model):
        day = DateField(unique=True)
        workday = BooleanField()
        note = CharField(default="")

        class Meta:
            database = db
            table_name = "calendar_day"

    db.create_tables([CalendarDay])

    class Service(Model):
        unit = ForeignKeyField(Unit, on_delete="CASCADE")
        code = CharField(max_length=2)
        name_zh = CharField()
        name_en = CharField()
        hours = CharField(default="08:30-12:00,13:30-17:30")
        weekdays = CharField(default="12345")
        time_limit_days = IntegerField(default=0)
        guide_zh = TextField(default="")
        guide_en = TextField(default="")
        expected_service_s = IntegerField(default=300)
        daily_limit = IntegerField(null=True)
        active = BooleanField(default=True)

        class Meta:
            database = db
            table_name = "service"
            indexes = ((("unit", "code"), True),)

    db.create_tables([Service])

    class Counter(Model):
        unit = ForeignKeyField(Unit, on_delete="CASCADE")
        window = IntegerField()
        name_zh = CharField(default="")
        name_en = CharField(default="")
        state = CharField(default="closed")
        pause_reason = CharField(null=True)
        state_since = DateTimeField(null=True)
        staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
        priority_streak = IntegerField(default=0)
        printer = CharField(null=True)

        class Meta:
            database = db
            table_name = "counter"
            indexes = ((("unit", "window"), True),)

    db.create_tables([Counter])

    class Ticket(Model):
        unit = ForeignKeyField(Unit, on_delete="CASCADE")
        service = ForeignKeyField(Service, on_delete="CASCADE")
        day = DateField()
        number = CharField(max_length=8)
        priority = CharField(null=True)
        source = CharField(default="kiosk")
        status = CharField(default="waiting")
        token = CharField(unique=True)
        issued_at = DateTimeField()
        queue_at = DateTimeField()
        first_called_at = DateTimeField(null=True)
        called_at = DateTimeField(null=True)
        started_at = DateTimeField(null=True)
        finished_at = DateTimeField(null=True)
        no_show_at = DateTimeField(null=True)
        counter = ForeignKeyField(Counter, null=True, on_delete="SET NULL")
        staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
        target_counter = ForeignKeyField(Counter, null=True, on_delete="SET NULL")
        recall_count = IntegerField(default=0)
        transfer_count = IntegerField(default=0)
        requeued = BooleanField(default=False)
        wait_s = IntegerField(null=True)
        service_s = IntegerField(null=True)
        closed_reason = CharField(null=True)

        class Meta:
            database = db
            table_name = "ticket"
            indexes = (
                (("unit", "day", "status"), False),
                (("service", "day", "status", "queue_at"), False),
                (("service", "finished_at"), False),
                (("counter", "status"), False),
                (("unit", "day", "status", "wait_s", "service_s", "transfer_count"), False),
                (("unit", "wait_s", "day"), False),
                (("unit", "service_s", "day"), False),
                (("wait_s", "day"), False),
                (("service_s", "day"), False),
            )

    db.create_tables([Ticket])

    class Inquiry(Model):
        unit = ForeignKeyField(Unit, on_delete="CASCADE")
        owner = ForeignKeyField(Staff)
        ticket = ForeignKeyField(Ticket, null=True, on_delete="SET NULL")
        service = ForeignKeyField(Service, null=True, on_delete="SET NULL")
        visitor_name = CharField(default="")
        visitor_phone = CharField(default="")
        organisation = CharField(default="")
        matter = TextField()
        materials = TextField(default="[]")
        status = CharField(default="open")
        visits = IntegerField(default=1)
        outcome = TextField(default="")
        created_at = DateTimeField()
        resolved_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "inquiry"
            indexes = ((("unit", "status"), False),)

    db.create_tables([Inquiry])

    class Case(Model):
        number = CharField(unique=True)
        unit = ForeignKeyField(Unit, on_delete="CASCADE")
        service = ForeignKeyField(Service)
        inquiry = ForeignKeyField(Inquiry, null=True, on_delete="SET NULL")
        ticket = ForeignKeyField(Ticket, null=True, on_delete="SET NULL")
        counter = ForeignKeyField(Counter, null=True, on_delete="SET NULL")
        staff = ForeignKeyField(Staff)
        visitor_name = CharField(default="")
        visitor_phone = CharField(default="")
        matter = TextField()
        materials = TextField(default="[]")
        status = CharField(default="open")
        accepted_at = DateTimeField()
        accepted_day = DateField()
        time_limit_days = IntegerField()
        extended_days = IntegerField(default=0)
        due_day = DateField()
        suspended_at = DateTimeField(null=True)
        days_left = IntegerField(null=True)
        missing_materials = TextField(default="[]")
        warned_at = DateTimeField(null=True)
        escalated_at = DateTimeField(null=True)
        escalated_to = ForeignKeyField(Staff, null=True)
        completed_at = DateTimeField(null=True)
        result = TextField(default="")

        class Meta:
            database = db
            table_name = "case"
            indexes = ((("unit", "status", "due_day"), False),)

    db.create_tables([Case])

    class CaseExtension(Model):
        case = ForeignKeyField(Case, on_delete="CASCADE")
        days = IntegerField()
        reason = TextField()
        requested_by = ForeignKeyField(Staff)
        requested_at = DateTimeField()
        status = CharField(default="pending")
        decided_by = ForeignKeyField(Staff, null=True)
        decided_at = DateTimeField(null=True)
        decision_note = TextField(default="")

        class Meta:
            database = db
            table_name = "case_extension"

    db.create_tables([CaseExtension])

    class CaseTask(Model):
        case = ForeignKeyField(Case, on_delete="CASCADE")
        department = CharField()
        status = CharField(default="pending")
        note = TextField(default="")
        done_at = DateTimeField(null=True)
        done_by = ForeignKeyField(Staff, null=True)

        class Meta:
            database = db
            table_name = "case_task"

    db.create_tables([CaseTask])

    class CounterService(Model):
        counter = ForeignKeyField(Counter, on_delete="CASCADE")
        service = ForeignKeyField(Service, on_delete="CASCADE")
        position = IntegerField()

        class Meta:
            database = db
            table_name = "counter_service"
            indexes = ((("counter", "service"), True),)

    db.create_tables([CounterService])

    class DayNumber(Model):
        service = ForeignKeyField(Service, on_delete="CASCADE")
        day = DateField()
        last_number = IntegerField(default=0)

        class Meta:
            database = db
            table_name = "day_number"
            primary_key = CompositeKey("service", "day")

    db.create_tables([DayNumber])

    class Event(Model):
        unit = ForeignKeyField(Unit, on_delete="CASCADE")
        seq = BigIntegerField()
        name = CharField()
        at = DateTimeField()
        ticket = ForeignKeyField(Ticket, null=True, on_delete="SET NULL")
        counter = ForeignKeyField(Counter, null=True, on_delete="SET NULL")
        staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
        payload = TextField()

        class Meta:
            database = db
            table_name = "event"
            indexes = ((("unit", "seq"), True),)

    db.create_tables([Event])

    class Inspection(Model):
        unit = ForeignKeyField(Unit, on_delete="CASCADE")
        counter = ForeignKeyField(Counter, null=True, on_delete="SET NULL")
        staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
        inspector = ForeignKeyField(Staff)
        kind = CharField(default="scheduled")
        visited_on = DateField()
        summary = TextField(default="")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "inspection"
            indexes = ((("unit", "visited_on"), False),)

    db.create_tables([Inspection])

    class Finding(Model):
        inspection = ForeignKeyField(Inspection, on_delete="CASCADE")
        category = CharField()
        description = TextField()
        evidence = TextField(default="")
        counter = ForeignKeyField(Counter, null=True, on_delete="SET NULL")
        staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")

        class Meta:
            database = db
            table_name = "finding"

    db.create_tables([Finding])

    class IdempotencyRecord(Model):
        key = CharField(unique=True)
        result = TextField()
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "idempotency_record"

    db.create_tables([IdempotencyRecord])

    class Lease(Model):
        name = CharField(primary_key=True)
        holder = CharField()
        expires_at = DateTimeField()

        class Meta:
            database = db
            table_name = "lease"

    db.create_tables([Lease])

    class LoginFailure(Model):
        login = CharField()
        client = CharField()
        at = DateTimeField()

        class Meta:
            database = db
            table_name = "login_failure"
            indexes = ((("login", "client", "at"), False),)

    db.create_tables([LoginFailure])

    class Notice(Model):
        number = CharField(unique=True)
        unit = ForeignKeyField(Unit, on_delete="CASCADE")
        inspection = ForeignKeyField(Inspection, null=True, on_delete="SET NULL")
        title = CharField()
        body = TextField()
        deadline = DateField()
        status = CharField(default="published")
        published_at = DateTimeField()
        published_by = ForeignKeyField(Staff)
        response = TextField(default="")
        responded_at = DateTimeField(null=True)
        responded_by = ForeignKeyField(Staff, null=True)
        closed_at = DateTimeField(null=True)
        closed_by = ForeignKeyField(Staff, null=True)
        close_note = TextField(default="")

        class Meta:
            database = db
            table_name = "notice"
            indexes = ((("unit", "status"), False),)

    db.create_tables([Notice])

    class PauseReason(Model):
        code = CharField(unique=True)
        name_zh = CharField()
        name_en = CharField()
        notice_zh = TextField(default="")
        notice_en = TextField(default="")

        class Meta:
            database = db
            table_name = "pause_reason"

    db.create_tables([PauseReason])

    class PrinterState(Model):
        name = CharField(unique=True)
        unit = ForeignKeyField(Unit, on_delete="CASCADE")
        status = CharField(default="unknown")
        since = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "printer_state"

    db.create_tables([PrinterState])

    class PrintJob(Model):
        printer = CharField()
        unit = ForeignKeyField(Unit, on_delete="CASCADE")
        kind = CharField()
        ref = CharField()
        image = BlobField()
        status = CharField(default="pending")
        attempts = IntegerField(default=0)
        next_try_at = DateTimeField()
        last_error = CharField(null=True)
        created_at = DateTimeField()
        printed_at = DateTimeField(null=True)
        request_key = CharField(unique=True, null=True)

        class Meta:
            database = db
            table_name = "print_job"
            indexes = ((("printer", "status", "id"), False),)

    db.create_tables([PrintJob])

    class Rating(Model):
        ticket = ForeignKeyField(Ticket, unique=True, on_delete="CASCADE")
        unit = ForeignKeyField(Unit, on_delete="CASCADE")
        counter = ForeignKeyField(Counter, null=True, on_delete="SET NULL")
        staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
        level = IntegerField()
        reason = TextField(default="")
        source = CharField(default="tablet")
        at = DateTimeField()
        excluded = BooleanField(default=False)

        class Meta:
            database = db
            table_name = "rating"
            indexes = ((("unit", "at"), False), (("unit", "excluded", "level", "at"), False))

    db.create_tables([Rating])

    class Rectification(Model):
        rating = ForeignKeyField(Rating, unique=True, on_delete="CASCADE")
        unit = ForeignKeyField(Unit, on_delete="CASCADE")
        staff = ForeignKeyField(Staff, null=True)
        status = CharField(default="open")
        opened_at = DateTimeField()
        due_day = DateField()
        verified_at = DateTimeField(null=True)
        verified_by = ForeignKeyField(Staff, null=True)
        verify_note = TextField(default="")
        rectified_at = DateTimeField(null=True)
        rectified_by = ForeignKeyField(Staff, null=True)
        rectify_note = TextField(default="")
        called_back_at = DateTimeField(null=True)
        called_back_by = ForeignKeyField(Staff, null=True)
        callback_note = TextField(default="")
        closed_at = DateTimeField(null=True)
        appeal_reason = TextField(default="")
        appeal_decided_by = ForeignKeyField(Staff, null=True)

        class Meta:
            database = db
            table_name = "rectification"

    db.create_tables([Rectification])

    class Referral(Model):
        inquiry = ForeignKeyField(Inquiry, on_delete="CASCADE")
        from_staff = ForeignKeyField(Staff)
        to_unit = ForeignKeyField(Unit, null=True)
        to_service = ForeignKeyField(Service, null=True)
        to_counter = ForeignKeyField(Counter, null=True)
        to_staff = ForeignKeyField(Staff, null=True)
        note = TextField(default="")
        at = DateTimeField()

        class Meta:
            database = db
            table_name = "referral"

    db.create_tables([Referral])

    class ScreenItem(Model):
        key = CharField(unique=True)
        unit_code = CharField(null=True)
        kind = CharField()
        title_zh = CharField(default="")
        title_en = CharField(default="")
        body_zh = TextField(default="")
        body_en = TextField(default="")
        image = CharField(default="")
        position = IntegerField(default=0)
        seconds = IntegerField(default=15)
        starts_on = DateField(null=True)
        ends_on = DateField(null=True)
        hours = CharField(default="")
        weekdays = CharField(default="1234567")
        active = BooleanField(default=True)

        class Meta:
            database = db
            table_name = "screen_item"

    db.create_tables([ScreenItem])

    class Selection(Model):
        unit = ForeignKeyField(Unit, on_delete="CASCADE")
        month = DateField()
        kind = CharField()
        counter = ForeignKeyField(Counter, null=True, on_delete="SET NULL")
        staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
        score = FloatField()
        confirmed_by = ForeignKeyField(Staff)
        confirmed_at = DateTimeField()

        class Meta:
            database = db
            table_name = "selection"
            indexes = ((("unit", "month", "kind"), True),)

    db.create_tables([Selection])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("selection"))
    migrator.migrate(migrator.drop_table("screen_item"))
    migrator.migrate(migrator.drop_table("referral"))
    migrator.migrate(migrator.drop_table("rectification"))
    migrator.migrate(migrator.drop_table("rating"))
    migrator.migrate(migrator.drop_table("print_job"))
    migrator.migrate(migrator.drop_table("printer_state"))
    migrator.migrate(migrator.drop_table("pause_reason"))
    migrator.migrate(migrator.drop_table("notice"))
    migrator.migrate(migrator.drop_table("login_failure"))
    migrator.migrate(migrator.drop_table("lease"))
    migrator.migrate(migrator.drop_table("idempotency_record"))
    migrator.migrate(migrator.drop_table("finding"))
    migrator.migrate(migrator.drop_table("inspection"))
    migrator.migrate(migrator.drop_table("event"))
    migrator.migrate(migrator.drop_table("day_number"))
    migrator.migrate(migrator.drop_table("counter_service"))
    migrator.migrate(migrator.drop_table("case_task"))
    migrator.migrate(migrator.drop_table("case_extension"))
    migrator.migrate(migrator.drop_table("case"))
    migrator.migrate(migrator.drop_table("inquiry"))
    migrator.migrate(migrator.drop_table("ticket"))
    migrator.migrate(migrator.drop_table("counter"))
    migrator.migrate(migrator.drop_table("service"))
    migrator.migrate(migrator.drop_table("calendar_day"))
    migrator.migrate(migrator.drop_table("audit_entry"))
    migrator.migrate(migrator.drop_table("api_token"))
    migrator.migrate(migrator.drop_table("staff"))
    migrator.migrate(migrator.drop_table("unit"))
