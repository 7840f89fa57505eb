"""The demo's past week, played through the real core: every figure it leaves behind is
one the hall's own rules would have produced, and can be traced to rows."""

from __future__ import annotations

from datetime import datetime

from qhall import rankings
from qhall.demo_history import seed_past_week
from qhall.devices import load_tablets
from qhall.models import Rating, Rectification, ScreenItem, Staff, Ticket
from qhall.registers import EXPORT_LIMIT, register_table
from qhall.reports import ledger
from qhall.scopes import make_scope, month_bounds
from qhall.seed import load_bureau
from qhall.supervision_models import Selection

# Tuesday 1 December 2026, 10:00 in Beijing: the week before is 24–30 November.
NOW = datetime(2026, 12, 1, 2, 0)


def test_the_demo_week_is_played_once_by_the_halls_own_rules(app):
    load_bureau()
    played = seed_past_week(NOW, app.config)
    assert set(played) == {"MZJ", "JZZ", "BYG"} and min(played.values()) > 0
    assert seed_past_week(NOW, app.config) == {}  # a hall with a history keeps it

    tickets = Ticket.select()
    assert {t.status for t in tickets} <= {"finished", "no_show", "closed", "cancelled"}
    assert Ticket.select().where(Ticket.status == "no_show").count() > 0

    # Ratings came from the tablet of the window that served the visit, for visits served.
    tablets = {(t.unit, t.window): t.name for t in load_tablets({"DEMO_PRINTERS": True}).values()}
    for rating in Rating.select():
        assert rating.ticket.status == "finished"
        assert rating.device == tablets[(rating.unit.code, rating.counter.window)]
    bad = Rating.select().where(Rating.level <= 2)
    assert bad.count() > 0
    assert Rectification.select().count() == bad.count()
    # Nobody closed their own bad rating.
    for item in Rectification.select().where(Rectification.status == "closed"):
        assert item.staff_id not in (item.verified_by_id, item.closed_by_id)
        assert item.rectified_by_id == item.staff_id

    # The model window on the screens is November's confirmed selection, with the figures of
    # the ranking it was chosen from; nothing else claims to be one.
    month = "2026-11"
    board = rankings.rankings(
        "MZJ", month, settings=app.config["SERVICE_LEVEL"], weights=app.config["RANKING"], now=NOW
    )
    chosen = Selection.get(Selection.kind == "model_window")
    top = next(e for e in board["windows"] if e["rank"] == 1)
    assert chosen.counter_id == top["key"] and chosen.score == top["score"]
    shown = ScreenItem.select().where(ScreenItem.kind.in_(["model_window", "service_star"]))
    assert {item.key for item in shown} == {
        "selection-MZJ-2026-11-model_window",
        "selection-MZJ-2026-11-service_star",
    }
    model = next(item for item in shown if item.kind == "model_window")
    assert f"办结 {top['served']} 件" in model.body_zh

    # The ledger's counts are the rows'.
    start, end = month_bounds(month)
    row = ledger(
        make_scope("MZJ", start, end), "unit", settings=app.config["SERVICE_LEVEL"], now=NOW
    )["total"]
    mzj = (
        Ticket.select()
        .join_from(Ticket, Ticket.unit.rel_model)
        .where(Ticket.unit.rel_model.code == "MZJ")
    )
    assert row["issued"] == mzj.count()
    assert row["served"] == mzj.where(Ticket.status == "finished").count()
    assert row["ratings"] == Rating.select().where(Rating.unit == chosen.unit_id).count()

    # And the manager can list the visits they are counted from, one row per ticket.
    manager = Staff.get(Staff.login == "mzj-manager")
    visits = register_table(
        "visits", make_scope("MZJ", start, end), viewer=manager, now=NOW, limit=EXPORT_LIMIT
    )
    status, served = (
        [c["name"] for c in visits["columns"]].index(name) for name in ("status", "served")
    )
    assert visits["total"] == len(visits["rows"]) == row["issued"]
    assert sum(r[served] == "是" for r in visits["rows"]) == row["served"]
    assert sum(r[status] == "过号" for r in visits["rows"]) == row["no_shows"] > 0
