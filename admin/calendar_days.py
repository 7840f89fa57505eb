"""The calendar page's "many days at once" form: a year's holidays and make-up working days
as the State Council publishes them, one line a day or a range, saved in one transaction
(qhall.configure.save_calendar_days; the lines are read by qhall.workdays.parse_days)."""

from __future__ import annotations

from pydantic import Field

from admin import api_bp
from admin.api import ADMIN, admin_staff
from qhall import configure
from qhall.web.request import now, publish_result, request_key
from qhall.web.schema import STAFF, Input, KeyedHeaders, Record, answers, spec


class CalendarDays(Input):
    text: str = Field(
        max_length=20_000,
        description='one line each: days or a range, 休 or 班, a note; "2027-01-01..2027-01-03 休 元旦"',
    )


@api_bp.post("/admin/calendar/days")
@spec.validate(resp=answers(Record, *STAFF), operation_id="admin_calendar_days", **ADMIN)
def admin_calendar_days(json: CalendarDays, headers: KeyedHeaders):
    """Set many days of the working-day calendar at once; each goes into the audit log."""
    viewer = admin_staff()
    outcome = configure.save_calendar_days(
        json.text, staff_id=viewer.id, now=now(), request_key=request_key()
    )
    return publish_result(outcome)
