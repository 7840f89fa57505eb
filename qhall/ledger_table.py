"""The ledger as a table: the rows and columns that the admin page, the CSV and the XLSX
export share, so that all three always hold the same numbers, and each group's label."""

from __future__ import annotations

from qhall.models import RATING_LEVELS, Counter, Service, Staff, Unit

COLUMNS = [
    ("label", "分组", "Group"),
    ("issued", "取号数", "Issued"),
    ("served", "办结数", "Served"),
    ("no_shows", "过号数", "No-shows"),
    ("transfers", "转移次数", "Transfers"),
    ("wait_avg_min", "平均等候(分)", "Avg wait (min)"),
    ("wait_p90_min", "90%等候(分)", "P90 wait (min)"),
    ("service_avg_min", "平均办理(分)", "Avg service (min)"),
    ("service_p90_min", "90%办理(分)", "P90 service (min)"),
    ("service_level_pct", "服务达标率(%)", "Service level (%)"),
    ("ratings", "评价数", "Ratings"),
    ("level_5", "非常满意", "Very satisfied"),
    ("level_4", "满意", "Satisfied"),
    ("level_3", "基本满意", "Fairly satisfied"),
    ("level_2", "不满意", "Dissatisfied"),
    ("level_1", "非常不满意", "Very dissatisfied"),
    ("satisfaction_pct", "满意率(%)", "Satisfaction (%)"),
    ("one_visit_pct", "一次办结率(%)", "One-visit rate (%)"),
    ("on_time_pct", "按时办结率(%)", "On-time rate (%)"),
    ("cases_overdue", "逾期办件", "Overdue cases"),
    ("bad_ratings", "差评数", "Bad ratings"),
    ("bad_rectified", "已整改回访", "Rectified"),
    ("bad_appealed", "申诉成立", "Appeal accepted"),
    ("bad_in_progress", "整改中", "In progress"),
    ("bad_overdue", "整改超期", "Overdue"),
    ("callback_pct", "实名差评回访率(%)", "Named bad ratings called back (%)"),
    ("rectify_pct", "整改率(%)", "Rectification rate (%)"),
]


def _minutes(seconds: int | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def table_row(label: str, figures: dict) -> list:
    """Return one line of the ledger table, in COLUMNS order."""
    values = {
        **figures,
        "label": label,
        "wait_avg_min": _minutes(figures["wait_avg_s"]),
        "wait_p90_min": _minutes(figures["wait_p90_s"]),
        "service_avg_min": _minutes(figures["service_avg_s"]),
        "service_p90_min": _minutes(figures["service_p90_s"]),
        "service_level_pct": _percent(figures["service_level"]),
        "satisfaction_pct": _percent(figures["satisfaction"]),
        "one_visit_pct": _percent(figures["one_visit_rate"]),
        "on_time_pct": _percent(figures["on_time_rate"]),
        "callback_pct": _percent(figures["callback_rate"]),
        "rectify_pct": _percent(figures["rectify_rate"]),
        **{f"level_{level}": figures["levels"][str(level)] for level in RATING_LEVELS},
    }
    return [values[name] for name, _zh, _en in COLUMNS]


def ledger_table(report: dict) -> list[list]:
    """Return the ledger's rows then its total line, as the page and the exports show them."""
    lines = [table_row(f"{row['label']} / {row['label_en']}", row) for row in report["rows"]]
    lines.append(table_row("合计 / Total", report["total"]))
    return lines


# Tickets not called yet have no window or staff member.
UNKNOWN_GROUP = {"label": "（未呼叫或未指定）", "label_en": "(not called or not set)",
                 "sort": (1, "")}  # fmt: skip


def group_labels(by: str, keys: list) -> dict:
    """Return each group key's label in both languages and its sort order."""
    ids = [key for key in keys if key is not None]
    if not ids:
        return {}
    if by == "unit":
        rows = Unit.select().where(Unit.id.in_(ids))
        return {u.id: {"label": f"{u.name_zh}（{u.code}）", "label_en": f"{u.name_en} ({u.code})",
                       "sort": (0, u.code)} for u in rows}  # fmt: skip
    if by == "service":
        rows = Service.select(Service, Unit).join(Unit).where(Service.id.in_(ids))
        return {s.id: {"label": f"{s.unit.code} {s.code} {s.name_zh}",
                       "label_en": f"{s.unit.code} {s.code} {s.name_en}",
                       "sort": (0, f"{s.unit.code}/{s.code}")} for s in rows}  # fmt: skip
    if by == "window":
        rows = Counter.select(Counter, Unit).join(Unit).where(Counter.id.in_(ids))
        return {c.id: {"label": f"{c.unit.code} {c.window}号窗口 {c.name_zh}",
                       "label_en": f"{c.unit.code} window {c.window} {c.name_en}",
                       "sort": (0, f"{c.unit.code}/{c.window:04d}")} for c in rows}  # fmt: skip
    rows = Staff.select().where(Staff.id.in_(ids))
    return {s.id: {"label": f"{s.name}（{s.employee_no or s.login}）",
                   "label_en": f"{s.name} ({s.employee_no or s.login})",
                   "sort": (0, s.employee_no or s.login)} for s in rows}  # fmt: skip
