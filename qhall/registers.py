"""The item-by-item registers (台账) beside the ledger's aggregates: visits (every ticket),
first inquiries, promised cases, ratings with their rectification, inspections with their findings, and
notices. One row per item, the same rows for the admin page, its JSON and the CSV and XLSX
exports.

Which items a period (the scope's local days, as the ledger counts them) holds:
- visits: the tickets of its days (issued, served, no-shows, waits: the ledger's counts);
- inquiries: received or resolved in it;
- cases: accepted, completed or due in it;
- ratings: given in it (a bad rating's rectification opens at the same moment);
- inspections: visited in it, one row per finding (an inspection that found nothing: one);
- notices: published, due or closed in it.
So every figure of the ledger for the same scope is made of rows found here.

The filters: a window is where the inquiry's ticket was served, the case's and the rating's
own window, and the window a finding names (else its inspection's); a person is the
inquiry's owner (首问责任人), the case's staff member, the rated person, and the person a
finding names (else its inspection's). A notice concerns every window and person its
inspection or a finding of it names; one published without an inspection concerns none.
Inspections and notices are about no service.

Times are the hall's wall-clock time, "2026-11-26 09:05"; visitors' names and phones are
masked unless qhall.access.sees_visitor_contacts lets the viewer see them. Each register's
items and cells come from qhall.register_rows; its columns are declared here, in the same
order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from peewee import ModelSelect

from qhall.access import check_read, sees_visitor_contacts
from qhall.clock import local
from qhall.db import db
from qhall.errors import NotFound
from qhall.models import Staff
from qhall.ratings import QuestionSet
from qhall.register_rows import (
    Context,
    case_rows,
    inquiry_rows,
    inspection_rows,
    notice_rows,
    rating_rows,
    select_cases,
    select_inquiries,
    select_inspections,
    select_notices,
    select_ratings,
    select_visits,
    visit_rows,
)
from qhall.scopes import Scope

# Rows on one page of a register, and the most an export holds (it says so when it stops).
PAGE_SIZE = 100
EXPORT_LIMIT = 20000
# A bureau-wide register's "generated at" is in the bureau's zone.
BUREAU_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Register:
    """One register: its title, its columns (name, 中文, English) and how it finds its
    items in a scope (in register order) and turns a page of them into rows."""

    title: tuple[str, str]
    columns: tuple[tuple[str, str, str], ...]
    select: Callable[[Scope], ModelSelect]
    rows: Callable[[list, Context], list[list]]


def _contacts(register: Register, scope: Scope, viewer: Staff) -> str | None:
    if not any(name in CONTACT_COLUMNS for name, _zh, _en in register.columns):
        return None
    full = scope.unit is not None and sees_visitor_contacts(viewer, scope.unit.id)
    return "full" if full else "masked"


def _numbered(rows: list[list], offset: int) -> list[list]:
    return [[offset + n, *row] for n, row in enumerate(rows, start=1)]


# --- the registers --------------------------------------------------------------------

NUMBER = ("no", "序号", "No.")
# The columns of visitors' contacts, masked for all but the unit's manager.
CONTACT_COLUMNS = ("visitor", "phone", "callback_phone")
RECTIFICATION_COLUMNS = (
    ("rectification", "整改状态", "Rectification"),
    ("rectify_due", "整改期限", "Due day"),
    ("rectify_overdue", "是否超期", "Overdue"),
    ("reviewer", "复核人", "Reviewer"),
    ("rectified", "说明整改（人、时间）", "Explained (by, at)"),
    ("rectify_note", "情况说明和整改措施", "Explanation and changes"),
    ("verified", "核实（人、时间）", "Verified (by, at)"),
    ("verify_note", "核实情况", "Verification"),
    ("called_back", "回访（人、时间）", "Called back (by, at)"),
    ("callback_answer", "回访结果", "Visitor's answer"),
    ("closed", "结案（人、时间）", "Closed (by, at)"),
    ("close_note", "结案意见", "Closing note"),
    ("appeal", "申诉", "Appeal"),
    ("appeal_decision", "申诉决定", "Appeal decision"),
)

REGISTERS: dict[str, Register] = {
    "visits": Register(
        ("取号办理登记", "Visits"),
        (
            NUMBER,
            ("day", "日期", "Day"),
            ("ticket", "票号", "Ticket"),
            ("unit", "单位", "Unit"),
            ("service", "业务", "Service"),
            ("priority", "优先类别", "Priority"),
            ("source", "取号方式", "Taken at"),
            ("issued_at", "取号时间", "Issued"),
            ("window", "窗口", "Window"),
            ("staff", "呼叫人", "Called by"),
            ("called_at", "首次呼叫", "First called"),
            ("started_at", "开始办理", "Started"),
            ("ended_at", "结束时间", "Ended"),
            ("status", "状态", "Status"),
            ("served", "计为办结", "Served"),
            ("wait_min", "等候（分）", "Wait (min)"),
            ("service_min", "办理（分）", "Service (min)"),
            ("transfers", "转移次数", "Transfers"),
        ),
        select_visits,
        visit_rows,
    ),
    "inquiries": Register(
        ("首问登记", "First inquiries"),
        (
            NUMBER,
            ("received_at", "登记时间", "Received"),
            ("unit", "单位", "Unit"),
            ("window", "窗口", "Window"),
            ("service", "业务", "Service"),
            ("owner", "首问责任人", "Owner"),
            ("visitor", "来访人", "Visitor"),
            ("phone", "联系电话", "Phone"),
            ("organisation", "来访单位", "Organisation"),
            ("matter", "事项", "Matter"),
            ("status", "状态", "Status"),
            ("visits", "来访次数", "Visits"),
            ("outcome", "办理结果", "Outcome"),
            ("resolved_at", "办结时间", "Resolved"),
            ("referrals", "转办记录", "Referrals"),
        ),
        select_inquiries,
        inquiry_rows,
    ),
    "cases": Register(
        ("承诺件登记", "Promised cases"),
        (
            NUMBER,
            ("number", "受理编号", "Case number"),
            ("accepted_at", "受理时间", "Accepted"),
            ("unit", "单位", "Unit"),
            ("window", "窗口", "Window"),
            ("service", "业务", "Service"),
            ("staff", "承办人", "Staff"),
            ("visitor", "申请人", "Visitor"),
            ("phone", "联系电话", "Phone"),
            ("matter", "事项", "Matter"),
            ("time_limit", "承诺时限（工作日）", "Time limit (working days)"),
            ("due_day", "办结期限", "Due day"),
            ("extended_days", "延期（工作日）", "Extended (working days)"),
            ("extensions", "延期申请", "Extension requests"),
            ("status", "状态", "Status"),
            ("completed_at", "办结时间", "Completed"),
            ("timeliness", "时效", "On time?"),
        ),
        select_cases,
        case_rows,
    ),
    "ratings": Register(
        ("好差评及整改登记", "Ratings and rectification"),
        (
            NUMBER,
            ("rated_at", "评价时间", "Rated"),
            ("unit", "单位", "Unit"),
            ("ticket", "票号", "Ticket"),
            ("window", "窗口", "Window"),
            ("staff", "被评价人", "Staff rated"),
            ("channel", "渠道", "Channel"),
            ("device", "设备", "Device"),
            ("level", "总体评价", "Overall"),
            ("efficiency", "服务效率", "Efficiency"),
            ("competence", "服务水平", "Competence"),
            ("attitude", "服务态度", "Attitude"),
            ("reasons", "差评原因", "Reasons"),
            ("words", "评价内容", "Visitor's words"),
            ("callback_phone", "回访电话", "Call-back phone"),
            ("counted", "计入统计", "Counted"),
            *RECTIFICATION_COLUMNS,
        ),
        select_ratings,
        rating_rows,
    ),
    "inspections": Register(
        ("督查登记", "Inspections and findings"),
        (
            NUMBER,
            ("visited_on", "督查日期", "Visited"),
            ("unit", "单位", "Unit"),
            ("kind", "方式", "Kind"),
            ("inspector", "督查人", "Inspector"),
            ("window", "窗口", "Window"),
            ("staff", "涉及人员", "Staff"),
            ("summary", "督查概况", "Summary"),
            ("category", "问题类别", "Finding"),
            ("description", "问题描述", "Description"),
            ("evidence", "佐证材料", "Evidence"),
            ("notices", "通报", "Notices"),
        ),
        select_inspections,
        inspection_rows,
    ),
    "notices": Register(
        ("通报登记", "Notices"),
        (
            NUMBER,
            ("number", "通报编号", "Notice number"),
            ("published_at", "发布时间", "Published"),
            ("unit", "单位", "Unit"),
            ("published_by", "发布人", "Published by"),
            ("title", "标题", "Title"),
            ("body", "通报内容", "Text"),
            ("inspection", "关联督查", "Inspection"),
            ("deadline", "整改期限", "Deadline"),
            ("status", "状态", "Status"),
            ("overdue", "是否超期", "Overdue"),
            ("response", "整改情况", "Response"),
            ("responded", "回复（人、时间）", "Responded (by, at)"),
            ("closed", "办结（人、时间）", "Closed (by, at)"),
            ("close_note", "审核意见", "Reviewer's note"),
        ),
        select_notices,
        notice_rows,
    ),
}


def find_register(kind: str) -> Register:
    """Return the register of a kind (visits, inquiries, cases, ratings, inspections, notices)."""
    if kind not in REGISTERS:
        raise NotFound("没有这种台账。", "No such register.", allowed=list(REGISTERS))
    return REGISTERS[kind]


def reason_labels(questions: QuestionSet) -> dict[str, str]:
    """Return the Chinese label of each rating reason code of the hall's question set (a
    code no longer in it is shown as it is)."""
    return {reason.code: reason.zh for reason in questions.reasons}


def register_table(
    kind: str,
    scope: Scope,
    *,
    viewer: Staff,
    now: datetime,
    reasons: dict[str, str] | None = None,
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> dict:
    """Return a page of a register over a scope, as the page, its JSON and its exports show
    it: the columns, the rows from `offset` (at most `limit`), and how many there are in all."""
    register = find_register(kind)
    check_read(viewer, scope.unit)
    with db.atomic():  # one read transaction: the count and the rows agree
        query = register.select(scope)
        total = query.count()
        items = list(query.limit(limit).offset(offset)) if limit > 0 else []
        ctx = Context(viewer=viewer, now=now, reason_labels=reasons or {}).load()
        rows = _numbered(register.rows(items, ctx), offset)
    zone = scope.unit.timezone if scope.unit else BUREAU_TIMEZONE
    zh, en = scope.label()
    return {
        "register": kind,
        "title": register.title[0],
        "title_en": register.title[1],
        "unit": scope.unit.code if scope.unit else None,
        "scope": zh,
        "scope_en": en,
        "slug": scope.slug(),
        "start": scope.start.isoformat(),
        "end": scope.end.isoformat(),
        "timezone": zone,
        "generated": local(now, zone).strftime("%Y-%m-%d %H:%M"),
        "columns": [{"name": n, "zh": z, "en": e} for n, z, e in register.columns],
        "rows": rows,
        "total": total,
        "offset": offset,
        "shown": len(rows),
        # Whether visitors' names and phones appear in full (qhall.access); None: none here.
        "contacts": _contacts(register, scope, viewer),
    }
