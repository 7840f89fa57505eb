"""Inspections and their findings, notices tracked to closure, and the data's own flags."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from qhall import queue, windows
from qhall.errors import BadInput, Conflict, Forbidden
from qhall.supervision import (
    automatic_flags,
    close_notice,
    publish_notice,
    record_inspection,
    respond_notice,
    supervision_view,
)
from tests.factories import gen_staff, gen_unit

SETTINGS = {"TARGET_WAIT_S": 900, "UNITS": {}, "LONG_PAUSE_S": 1800}


@pytest.fixture
def team(app):
    unit = gen_unit("T")
    return {
        "unit": unit,
        "inspector": gen_staff("inspector", None, role="inspector"),
        "boss": gen_staff("boss", unit, role="manager"),
        "clerk": gen_staff("clerk", unit),
    }


def test_an_unannounced_visit_finds_a_delay_and_the_notice_is_tracked_to_closure(team, clock):
    inspection = record_inspection(
        "T", inspector_id=team["inspector"].id, kind="unannounced", visited_on=date(2026, 11, 26),
        window=1, staff_login="clerk", summary="上午暗访",
        findings=[{"category": "delaying", "description": "群众等候时未主动引导", "evidence": "照片 2 张"}],
        now=clock.now(),
    ).result  # fmt: skip
    assert inspection["findings"][0]["category_name"] == "拖（推诿拖延）"
    assert (inspection["window"], inspection["staff"]) == (1, "员工clerk")

    notice = publish_notice("T", publisher_id=team["inspector"].id, title="关于窗口推诿拖延的通报",
                            body="请于期限内整改。", deadline=date(2026, 12, 3),
                            inspection_id=inspection["id"], now=clock.now()).result  # fmt: skip
    assert (notice["number"], notice["status"], notice["overdue"]) == (
        "TB-2026-001",
        "published",
        False,
    )

    # Only after the unit responds can the inspector close it; a clerk may not respond.
    with pytest.raises(Conflict):
        close_notice(
            notice["id"], staff_id=team["inspector"].id, accept=True, note="", now=clock.now()
        )
    with pytest.raises(Forbidden):
        respond_notice(notice["id"], staff_id=team["clerk"].id, response="已整改", now=clock.now())
    answered = respond_notice(notice["id"], staff_id=team["boss"].id,
                              response="已开展培训，设立引导岗。", now=clock.now()).result  # fmt: skip
    assert answered["status"] == "responded"

    # Sent back with a note, answered again, then accepted and closed.
    back = close_notice(notice["id"], staff_id=team["inspector"].id, accept=False,
                        note="请补充培训记录", now=clock.now()).result  # fmt: skip
    assert back["status"] == "published" and back["close_note"] == "请补充培训记录"
    with pytest.raises(BadInput):
        close_notice(
            notice["id"], staff_id=team["inspector"].id, accept=False, note="", now=clock.now()
        )
    respond_notice(
        notice["id"], staff_id=team["boss"].id, response="已补充培训记录。", now=clock.now()
    )
    closed = close_notice(notice["id"], staff_id=team["inspector"].id, accept=True, note="",
                          now=clock.now()).result  # fmt: skip
    assert closed["status"] == "closed" and closed["closed_at"]


def test_a_notice_past_its_deadline_is_overdue(team, clock):
    notice = publish_notice("T", publisher_id=team["inspector"].id, title="通报", body="请整改。",
                            deadline=date(2026, 11, 27), now=clock.now()).result  # fmt: skip
    clock.advance(days=2)
    view = supervision_view(team["boss"], "T", now=clock.now(), settings=SETTINGS)
    assert [(n["id"], n["overdue"]) for n in view["notices"]] == [(notice["id"], True)]


def test_managers_cannot_record_inspections(team, clock):
    with pytest.raises(Forbidden):
        record_inspection("T", inspector_id=team["boss"].id, kind="scheduled",
                          visited_on=date(2026, 11, 26), now=clock.now())  # fmt: skip
    with pytest.raises(BadInput):
        record_inspection("T", inspector_id=team["inspector"].id, kind="scheduled",
                          visited_on=date(2026, 11, 26), findings=[{"category": "lazy"}],
                          now=clock.now())  # fmt: skip


def test_the_data_flags_long_waits_and_long_pauses(team, clock):
    clerk = team["clerk"]
    queue.issue_ticket("T", "A", now=clock.now())
    windows.open_counter("T", 2, staff_id=clerk.id, now=clock.now())
    windows.pause_counter("T", 2, "meeting", staff_id=clerk.id, now=clock.now())
    assert automatic_flags([team["unit"]], now=clock.now(), settings=SETTINGS) == []
    clock.at += timedelta(minutes=40)
    kinds = {
        f["kind"]: f for f in automatic_flags([team["unit"]], now=clock.now(), settings=SETTINGS)
    }
    assert kinds["long_wait"]["count"] == 1
    assert "2号窗口暂停已 40 分钟（会议）" in kinds["long_pause"]["message"]
