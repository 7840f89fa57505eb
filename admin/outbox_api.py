"""The outbox as its managers see it (qhall.outbox): each channel's messages waiting, sent
and cancelled, with why a waiting one failed; and what a manager may do about one: try it
again now, or give it up. A hall's manager sees and decides for their hall's messages, the
bureau's admins for all; inspectors read them."""

from __future__ import annotations

from typing import Annotated, Literal

from flask import jsonify
from pydantic import Field

from admin import api_bp
from admin.api import ADMIN, UnitQuery, admin_staff
from qhall import outbox
from qhall.access import check_manage, check_read, readable_units
from qhall.lookups import find_unit
from qhall.models import Unit
from qhall.web.request import now, publish_result
from qhall.web.schema import FROM_QUERY, STAFF, Record, answers, spec


class OutboxQuery(UnitQuery):
    channel: str | None = Field(None, max_length=20, pattern=r"^[a-z_]+$",
                                description='a channel: "haocha", "sms"; absent: all')  # fmt: skip
    state: Literal["pending", "failing", "sent", "cancelled"] | None = Field(
        None, description='"failing": waiting, refused at least once; absent: all'
    )
    page: Annotated[int, FROM_QUERY, Field(ge=1, le=100000)] | None = Field(
        None, description=f"{outbox.PAGE_SIZE} messages a page, newest first; absent: the first"
    )


@api_bp.get("/admin/outbox")
@spec.validate(resp=answers(Record, *STAFF), operation_id="admin_outbox", **ADMIN)
def admin_outbox(query: OutboxQuery):
    """Return each channel's messages by state, with the oldest still waiting, and a page
    of the messages that match (`total`, `pages`); a visitor's phone masked and their text
    withheld."""
    return jsonify(outbox_for(query, admin_staff()))


def outbox_for(query: OutboxQuery, viewer) -> dict:
    """Return the outbox's overview the viewer may read: one unit's, or every unit's they
    see (this route and the page /admin/outbox)."""
    if query.unit:
        unit = find_unit(query.unit)
        check_read(viewer, unit)
        units = [unit.id]
    else:
        units = readable_units(viewer).select(Unit.id)
    return outbox.overview(units, channel=query.channel, state=query.state, page=query.page or 1)


def _decide(message_id: int, decide):
    viewer = admin_staff()
    message = outbox.find_message(message_id)
    check_manage(viewer, message.unit)
    return publish_result(decide(message_id, staff_id=viewer.id, now=now()))


@api_bp.post("/admin/outbox/<int:message_id>/retry")
@spec.validate(resp=answers(Record, *STAFF), operation_id="admin_outbox_retry", **ADMIN)
def admin_outbox_retry(message_id: int):
    """Try a waiting message again now (its wait after a failure cut short)."""
    return _decide(message_id, outbox.retry_now)


@api_bp.post("/admin/outbox/<int:message_id>/cancel")
@spec.validate(resp=answers(Record, *STAFF), operation_id="admin_outbox_cancel", **ADMIN)
def admin_outbox_cancel(message_id: int):
    """Give up a waiting message: it is never sent (in the audit log, with who)."""
    return _decide(message_id, outbox.cancel)
