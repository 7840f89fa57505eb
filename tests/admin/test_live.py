"""The live figures: waiting, the longest wait, windows, and the alerts a manager must see."""

from __future__ import annotations

from datetime import timedelta

from qhall import queue, windows
from qhall.db import unit_of_work
from qhall.models import PrinterState


def test_live_figures_raise_alerts_for_a_long_wait_and_a_stopped_printer(as_user, bureau, clock):
    clerk = bureau["clerk"]
    queue.issue_ticket("T", "A", now=clock.now())
    queue.issue_ticket("T", "B", now=clock.now())
    windows.open_counter("T", 1, staff_id=clerk.id, now=clock.now())
    queue.call_next("T", 1, staff_id=clerk.id, now=clock.now())
    windows.open_counter("T", 2, staff_id=clerk.id, now=clock.now())
    windows.pause_counter("T", 2, "break", staff_id=clerk.id, now=clock.now())
    boss = as_user("boss-t")
    live = boss.get("/api/admin/live").get_json()
    (t,) = live["units"]
    assert (t["waiting"], t["issued"], t["windows_open"], t["windows_paused"]) == (1, 2, 1, 1)
    assert t["windows"][1]["pause_reason"] == "短暂休息"
    # 26 November with no 2027 holidays entered: only that (tests/qhall/test_calendar_years.py).
    assert [a["kind"] for a in live["alerts"]] == ["calendar_missing"]
    assert t["service_level"] == 1.0  # B001 waits, not yet past the 15-minute target

    clock.at += timedelta(minutes=16)
    with unit_of_work():
        PrinterState.create(name="t-kiosk", unit=bureau["T"], status="paper_out", since=clock.at)
    live = boss.get("/api/admin/live").get_json()
    assert live["units"][0]["longest_wait_s"] == 16 * 60
    messages = [a["message"] for a in live["alerts"]]
    assert "最长等候已 16 分钟，超过目标 15 分钟" in messages
    assert "打印机 t-kiosk 已停止（缺纸）" in messages
    # A001 was called at once; B001, still not called, has waited past the target.
    assert live["units"][0]["service_level"] == 0.5
