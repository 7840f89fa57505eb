"""Model windows and service stars (争先进位): rankings from the ledger's figures, and the
month's selection that the unit's manager confirms, which the hall screens then show.

The formula ([RANKING] in config/default.toml): each figure is a share from 0 to 1 —

    score = (w_s × satisfaction + w_o × on-time rate + w_l × service level + w_v × volume)
            ÷ (the sum of the weights of the figures that have data)

where volume is the visits served ÷ the most any window (or person) of the unit served.
A figure with no data (no ratings, no promised cases) drops out rather than counting as
zero, so a window that handles no promised services is neither helped nor harmed by that.
Windows and staff who served fewer than MIN_SERVED visits in the month are listed but not
ranked. Ties go to the one who served more.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from qhall.access import check_manage
from qhall.audit import record_change
from qhall.clock import local_day
from qhall.db import unit_of_work
from qhall.errors import BadInput, NotFound
from qhall.events import Outcome
from qhall.lookups import find_unit
from qhall.models import Counter, ScreenItem, Selection, Staff
from qhall.reports import ledger
from qhall.scopes import make_scope, month_bounds

FIGURES = {
    "SATISFACTION": "satisfaction",
    "ON_TIME": "on_time_rate",
    "SERVICE_LEVEL": "service_level",
    "VOLUME": "volume",
}


def score(figures: dict, weights: dict) -> float | None:
    """Return the ranking score of one window's or person's figures (volume included)."""
    present = {
        name: figures[field] for name, field in FIGURES.items() if figures[field] is not None
    }
    weight = sum(float(weights[name]) for name in present)
    if not weight:
        return None
    return round(sum(float(weights[name]) * value for name, value in present.items()) / weight, 4)


def rank(rows: list[dict], weights: dict) -> list[dict]:
    """Return ledger rows with their volume, score and rank, best first."""
    rows = [row for row in rows if row["key"] is not None]  # tickets never called
    most = max((row["served"] for row in rows), default=0)
    ranked = []
    for row in rows:
        entry = {**row, "volume": round(row["served"] / most, 4) if most else None}
        entry["eligible"] = row["served"] >= int(weights["MIN_SERVED"])
        entry["score"] = score(entry, weights) if entry["eligible"] else None
        ranked.append(entry)
    ranked.sort(key=lambda e: (e["score"] is None, -(e["score"] or 0), -e["served"]))
    for position, entry in enumerate(ranked, start=1):
        entry["rank"] = position if entry["score"] is not None else None
    return ranked


def rankings(
    unit_code: str, month: str | None, *, settings: dict, weights: dict, now: datetime
) -> dict:
    """Return a unit's windows and staff ranked on a month's figures (by default this month
    in the unit's time zone), and the month's confirmed selection if there is one."""
    if not month:
        month = local_day(now, find_unit(unit_code).timezone).strftime("%Y-%m")
    start, end = month_bounds(month)
    scope = make_scope(unit_code, start, end)
    windows = ledger(scope, "window", settings=settings, now=now)["rows"]
    staff = ledger(scope, "staff", settings=settings, now=now)["rows"]
    return {
        "unit": unit_code,
        "month": month,
        "weights": {name: float(weights[name]) for name in FIGURES},
        "min_served": int(weights["MIN_SERVED"]),
        "windows": _with_pick(rank(windows, weights), Counter, "window"),
        "staff": _with_pick(rank(staff, weights), Staff, "login"),
        "selection": selection_view(scope.unit, start),
    }


def _with_pick(entries: list[dict], model, name: str) -> list[dict]:
    """Add what names each entry when the manager chooses it: a window number or a login."""
    ids = [e["key"] for e in entries if e["key"] is not None]
    names = {row.id: getattr(row, name) for row in model.select().where(model.id.in_(ids))}
    return [{**e, "pick": names.get(e["key"])} for e in entries]


def selection_view(unit, month_start: date) -> dict:
    """Return the confirmed model window and service star of a month, if any."""
    rows = Selection.select().where(Selection.unit == unit.id, Selection.month == month_start)
    chosen = {}
    for row in rows:
        chosen[row.kind] = {
            "score": row.score,
            "window": row.counter.window if row.counter else None,
            "name": row.counter.name_zh if row.counter else row.staff.name if row.staff else None,
            "confirmed_by": row.confirmed_by.name,
            "confirmed_at": row.confirmed_at.isoformat(),
        }
    return chosen


def confirm_selection(
    unit_code: str,
    month: str,
    *,
    window: int | None,
    staff_login: str | None,
    staff_id: int,
    settings: dict,
    weights: dict,
    now: datetime,
    request_key: str | None = None,
) -> Outcome:
    """Confirm the month's model window and service star (the manager may pass over the top
    of the ranking, but only for a ranked one), and put them on the hall screens for the
    following month."""
    if window is None and not staff_login:
        raise BadInput("请选择示范窗口或服务标兵。", "Choose a model window or a service star.")
    board = rankings(unit_code, month, settings=settings, weights=weights, now=now)
    start, _end = month_bounds(month)
    shown_from = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    shown_to = (shown_from.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(1)
    picks = []
    if window is not None:
        picks.append(("model_window", _ranked(board["windows"], window)))
    if staff_login:
        picks.append(("service_star", _ranked(board["staff"], staff_login)))
    with unit_of_work(request_key, f"selection:{unit_code}:{month}:{staff_id}", now) as uow:
        if uow.replayed:
            return uow.outcome
        unit = find_unit(unit_code)
        check_manage(Staff.get_by_id(staff_id), unit)
        for kind, entry in picks:
            counter = Counter.get_by_id(entry["key"]) if kind == "model_window" else None
            person = Staff.get_by_id(entry["key"]) if kind == "service_star" else None
            before = Selection.get_or_none(
                Selection.unit == unit.id, Selection.month == start, Selection.kind == kind
            )
            fields = {"counter": counter, "staff": person, "score": entry["score"],
                      "confirmed_by": staff_id, "confirmed_at": now}  # fmt: skip
            if before is None:
                Selection.create(unit=unit, month=start, kind=kind, **fields)
            else:
                Selection.update(**fields).where(Selection.id == before.id).execute()
            _show_on_screens(unit, kind, month, entry, counter, person, shown_from, shown_to)
            record_change(
                staff_id=staff_id,
                unit_id=unit.id,
                action=f"selection.{kind}",
                target=f"{unit.code}/{month}",
                before={"name": _name(before)} if before else None,
                after={"name": entry["label"], "score": entry["score"]},
                now=now,
            )
        result = {"unit": unit.code, "month": month, "selection": selection_view(unit, start)}
        return uow.finish(result)


def _ranked(entries: list[dict], wanted) -> dict:
    for entry in entries:
        if entry["rank"] is not None and entry["pick"] == wanted:
            return entry
    raise NotFound(
        "只能从本月参与排名的窗口或人员中评选。",
        "Only a window or person ranked this month can be chosen.",
    )


def _name(selection: Selection) -> str | None:
    if selection.counter:
        return selection.counter.name_zh
    return selection.staff.name if selection.staff else None


def _show_on_screens(unit, kind, month, entry, counter, person, shown_from, shown_to) -> None:
    """Write (or rewrite) the screen item that shows the month's choice in the unit's hall."""
    percent = f"{entry['satisfaction'] * 100:.1f}%" if entry["satisfaction"] is not None else "—"
    if kind == "model_window":
        title_zh = f"{month} 示范窗口：{counter.window}号窗口 {counter.name_zh}"
        title_en = f"Model window of {month}: window {counter.window} {counter.name_en}"
    else:
        number = person.employee_no or person.login
        title_zh = f"{month} 文明优质服务标兵：{person.name}（{number}）"
        title_en = f"Service star of {month}: {person.name} ({number})"
    fields = {
        "unit_code": unit.code,
        "kind": kind,
        "title_zh": title_zh,
        "title_en": title_en,
        "body_zh": f"办结 {entry['served']} 件 · 群众满意率 {percent} · 综合得分 {entry['score']:.3f}",
        "body_en": f"{entry['served']} visits served · {percent} satisfied · score {entry['score']:.3f}",
        "starts_on": shown_from,
        "ends_on": shown_to,
        "active": True,
    }
    key = f"selection-{unit.code}-{month}-{kind}"
    if ScreenItem.get_or_none(ScreenItem.key == key) is None:
        ScreenItem.create(key=key, position=-1, **fields)  # first in the rotation
    else:
        ScreenItem.update(**fields).where(ScreenItem.key == key).execute()
