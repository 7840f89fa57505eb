"""Model windows and service stars (争先进位): rankings from the ledger's figures, and the
month's selection that the unit's manager confirms, which the hall screens then show.

The formula ([RANKING] in config/default.toml; README.md, "Rankings", has a worked example):

    satisfaction = (PRIOR_RATINGS × m + satisfied) ÷ (PRIOR_RATINGS + rated)
    base         = 100 × (w_s × satisfaction + w_o × on-time rate + w_l × service level
                          + w_v × volume) ÷ (the sum of the weights of the figures that have data)
    score        = max(0, base − the deductions)

- satisfaction is a Bayesian average of the 满意率: the window's (or person's) counted ratings
  plus PRIOR_RATINGS imagined ones at m, the unit's 满意率 over all its ratings of the month.
  "Satisfied" is 基本满意 or better, as in the ledger. A few ratings barely move it from the
  hall's mean, so one 非常满意 does not beat forty ratings that were all satisfied, and a
  window without ratings gets the hall's mean, never a free 100 %.
- volume is the visits served ÷ the most any window (or person) of the unit served. On-time
  rate with no promised cases drops out rather than counting as zero, so a window that
  handles no promised services is neither helped nor harmed by that.
- the deductions, in points: DEDUCT_FINDING for each inspection finding against the window
  or person (inspections visited in the month), DEDUCT_OVERDUE_CASE for each overdue
  promised case, DEDUCT_OVERDUE_RECTIFICATION for each bad rating of the month whose
  rectification is past its deadline and still open. Each is shown on its own.
- ranked: served at least MIN_SERVED visits and has at least MIN_RATINGS counted ratings;
  the others are listed with their figures but not ranked. Ties go to the one who served
  more.
- the last of the ranked (of two or more) this month and the month before is flagged for a
  talk with the manager (约谈).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from peewee import fn

from qhall.access import check_manage
from qhall.audit import record_change
from qhall.clock import local_day
from qhall.db import unit_of_work
from qhall.errors import BadInput, NotFound
from qhall.events import Outcome
from qhall.lookups import find_unit
from qhall.models import Counter, ScreenItem, Staff
from qhall.ratings import BAD_LEVEL
from qhall.reports import ledger
from qhall.scopes import Scope, make_scope, month_bounds
from qhall.screens import SELECTION_KEY_PREFIX
from qhall.supervision_models import Finding, Inspection, Selection

# The figures of the score, each a share from 0 to 1: weight in [RANKING] -> entry field.
FIGURES = {
    "SATISFACTION": "satisfaction_adjusted",
    "ON_TIME": "on_time_rate",
    "SERVICE_LEVEL": "service_level",
    "VOLUME": "volume",
}

# What takes points off the score: points in [RANKING] -> the entry's count of it.
DEDUCTIONS = {
    "DEDUCT_FINDING": "findings",
    "DEDUCT_OVERDUE_CASE": "cases_overdue",
    "DEDUCT_OVERDUE_RECTIFICATION": "bad_overdue",
}
# How a page names each deduction with its count, in Chinese and English.
DEDUCTION_NAMES = {
    "findings": ("督查问题 %d 项", "%d inspection findings"),
    "cases_overdue": ("超期办件 %d 件", "%d overdue cases"),
    "bad_overdue": ("差评整改超期 %d 件", "%d overdue rectifications"),
}


def satisfied_count(levels: dict) -> int:
    """Return how many of the counted ratings were 基本满意 or better."""
    return sum(count for level, count in levels.items() if int(level) > BAD_LEVEL)


def hall_mean(total: dict) -> float | None:
    """Return the unit's 满意率 over all its counted ratings of the period (the prior's
    mean), or None if nobody was rated."""
    rated = sum(total["levels"].values())
    return satisfied_count(total["levels"]) / rated if rated else None


def adjusted_satisfaction(
    satisfied: int, rated: int, mean: float | None, prior_ratings: float
) -> float | None:
    """Return the Bayesian average of a 满意率: the ratings given plus prior_ratings imagined
    ones at the hall's mean, so that a few ratings barely move it from the mean."""
    if mean is None:
        return None  # no ratings in the whole unit: the figure drops out for everyone
    return (prior_ratings * mean + satisfied) / (prior_ratings + rated)


def base_score(figures: dict, weights: dict) -> float | None:
    """Return the score before deductions, 0 to 100: the weighted mean of the figures that
    have data."""
    present = {
        name: figures[field] for name, field in FIGURES.items() if figures[field] is not None
    }
    weight = sum(float(weights[name]) for name in present)
    if not weight:
        return None
    return 100 * sum(float(weights[name]) * value for name, value in present.items()) / weight


def rank(
    rows: list[dict], weights: dict, *, mean: float | None, findings: dict | None = None
) -> list[dict]:
    """Return ledger rows (by window or staff) with their adjusted satisfaction, volume,
    deductions, score and rank, best first; mean is the hall's 满意率 and findings the
    inspection findings against each row's key."""
    rows = [row for row in rows if row["key"] is not None]  # tickets never called
    most = max((row["served"] for row in rows), default=0)
    findings = findings or {}
    entries = []
    for row in rows:
        entry = {**row, "findings": findings.get(row["key"], 0)}
        entry["volume"] = round(row["served"] / most, 4) if most else None
        satisfaction = adjusted_satisfaction(
            satisfied_count(row["levels"]), row["ratings"], mean, float(weights["PRIOR_RATINGS"])
        )
        entry["satisfaction_adjusted"] = None if satisfaction is None else round(satisfaction, 4)
        entry["deductions"] = {
            field: {"count": entry[field], "points": round(entry[field] * float(weights[key]), 2)}
            for key, field in DEDUCTIONS.items()
        }
        deducted = sum(d["points"] for d in entry["deductions"].values())
        entry["deducted"] = round(deducted, 2)
        entry["not_ranked"] = _not_ranked(row, weights)
        base = None
        if not entry["not_ranked"]:
            base = base_score({**entry, "satisfaction_adjusted": satisfaction}, weights)
        # Rounded before the deductions, so the page's base − deductions is the score.
        entry["base"] = None if base is None else round(base, 2)
        entry["score"] = None if base is None else round(max(0.0, entry["base"] - deducted), 2)
        entries.append(entry)
    entries.sort(key=lambda e: (e["score"] is None, -(e["score"] or 0), -e["served"]))
    for position, entry in enumerate(entries, start=1):
        entry["rank"] = position if entry["score"] is not None else None
    return entries


def _not_ranked(row: dict, weights: dict) -> str | None:
    """Return why a row is too thin to rank ("served", "ratings"), or None."""
    if row["served"] < int(weights["MIN_SERVED"]):
        return "served"
    if row["ratings"] < int(weights["MIN_RATINGS"]):
        return "ratings"
    return None


def finding_counts_by(scope: Scope, by: str) -> dict[int, int]:
    """Return the inspection findings against each window ("window") or person ("staff")
    from inspections visited in the scope's period."""
    key = Finding.counter if by == "window" else Finding.staff
    rows = (
        Finding.select(key, fn.COUNT(Finding.id))
        .join(Inspection)
        .where(
            Inspection.unit.in_([unit.id for unit in scope.units]),
            Inspection.visited_on >= scope.start,
            Inspection.visited_on <= scope.end,
            key.is_null(False),
        )
        .group_by(key)
        .tuples()
    )
    return dict(rows)


def ranked(scope: Scope, by: str, *, settings: dict, weights: dict, now: datetime) -> dict:
    """Return the windows ("window") or staff ("staff") of a scope ranked on its period,
    with the hall's 满意率 that their satisfaction is pulled toward."""
    report = ledger(scope, by, settings=settings, now=now)
    mean = hall_mean(report["total"])
    rows = rank(report["rows"], weights, mean=mean, findings=finding_counts_by(scope, by))
    return {"rows": rows, "mean": mean}


def rankings(
    unit_code: str, month: str | None, *, settings: dict, weights: dict, now: datetime
) -> dict:
    """Return a unit's windows and staff ranked on a month's figures (by default this month
    in the unit's time zone), who was last two months running, and the month's confirmed
    selection if there is one."""
    if not month:
        month = local_day(now, find_unit(unit_code).timezone).strftime("%Y-%m")
    start, _end = month_bounds(month)
    previous = (start - timedelta(days=1)).strftime("%Y-%m")
    boards = {}
    for when in (month, previous):
        first, last = month_bounds(when)
        scope = make_scope(unit_code, first, last)
        boards[when] = {
            "windows": ranked(scope, "window", settings=settings, weights=weights, now=now),
            "staff": ranked(scope, "staff", settings=settings, weights=weights, now=now),
        }
    windows = _with_pick(boards[month]["windows"]["rows"], Counter, "window")
    staff = _with_pick(boards[month]["staff"]["rows"], Staff, "login")
    talks = _two_months_last(windows, boards[previous]["windows"]["rows"], "window")
    talks += _two_months_last(staff, boards[previous]["staff"]["rows"], "staff")
    return {
        "unit": unit_code,
        "month": month,
        "previous_month": previous,
        "weights": {name: float(weights[name]) for name in FIGURES},
        "deduction_points": {field: float(weights[key]) for key, field in DEDUCTIONS.items()},
        "prior_ratings": float(weights["PRIOR_RATINGS"]),
        "min_served": int(weights["MIN_SERVED"]),
        "min_ratings": int(weights["MIN_RATINGS"]),
        "hall_satisfaction": _rounded(boards[month]["windows"]["mean"]),
        "windows": windows,
        "staff": staff,
        "talks": talks,
        "selection": selection_view(find_unit(unit_code), start),
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _last(entries: list[dict]):
    """Return the key of the last of the ranked, if two or more were ranked."""
    ranked_keys = [e["key"] for e in entries if e["rank"] is not None]
    return ranked_keys[-1] if len(ranked_keys) >= 2 else None


def _two_months_last(entries: list[dict], before: list[dict], kind: str) -> list[dict]:
    """Mark each entry with last month's rank and whether it was the last of the ranked this
    month and the month before (约谈); return those flagged."""
    earlier = {e["key"]: e["rank"] for e in before}
    last_now, last_before = _last(entries), _last(before)
    talks = []
    for entry in entries:
        entry["previous_rank"] = earlier.get(entry["key"])
        entry["talk"] = last_now is not None and entry["key"] == last_now == last_before
        if entry["talk"]:
            talks.append({"kind": kind, "pick": entry["pick"], "label": entry["label"],
                          "label_en": entry["label_en"], "rank": entry["rank"],
                          "previous_rank": entry["previous_rank"]})  # fmt: skip
    return talks


def _with_pick(entries: list[dict], model, name: str) -> list[dict]:
    """Add what names each entry when the manager chooses it: a window number or a login."""
    ids = [e["key"] for e in entries if e["key"] is not None]
    names = {row.id: getattr(row, name) for row in model.select().where(model.id.in_(ids))}
    for entry in entries:
        entry["pick"] = names.get(entry["key"])
    return entries


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
    """Write (or rewrite) the screen item that shows the month's choice in the unit's hall:
    the only way a model window or service star reaches the screens, and only with figures
    from its ranking row."""
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
        "body_zh": f"办结 {entry['served']} 件 · 评价 {entry['ratings']} 条 · "
        f"群众满意率 {percent} · 综合得分 {entry['score']:.2f}",
        "body_en": f"{entry['served']} visits served · {entry['ratings']} ratings · "
        f"{percent} satisfied · score {entry['score']:.2f} of 100",
        "starts_on": shown_from,
        "ends_on": shown_to,
        "active": True,
    }
    key = f"{SELECTION_KEY_PREFIX}{unit.code}-{month}-{kind}"
    if ScreenItem.get_or_none(ScreenItem.key == key) is None:
        ScreenItem.create(key=key, position=-1, **fields)  # first in the rotation
    else:
        ScreenItem.update(**fields).where(ScreenItem.key == key).execute()
