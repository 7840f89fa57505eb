"""The audit log: who did what to what, and when, with the record before and after.

Audited: configuration changes (an account's role change and password reset picked out as
entries of their own), sign-ins (each success; failures counted, one entry per login and
client per quarter hour), API tokens issued and revoked, ledgers and registers taken out
of qhall (exports), and the erasure of visitors' personal data. No entry holds a password,
a password's hash or a visitor's personal data.

record_action() writes in the caller's write transaction when there is one, so that a
change and its entry are committed together or not at all, and in one of its own otherwise.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

from peewee import JOIN

from qhall.access import sees_every_unit
from qhall.clock import iso, zone
from qhall.db import unit_of_work
from qhall.models import Staff, Unit
from qhall.supervision_models import AuditEntry
from qhall.words import action_words, bureau_timezone, stamp, unit_timezone

# A page of the log holds at most this many entries.
PAGE_MAX = 200
PAGE_SIZE = 50
# Failed sign-ins are counted per quarter hour: a flood of wrong passwords raises a number
# in one entry instead of adding an entry a guess.
FAILURE_BUCKET = timedelta(minutes=15)
# What a failed sign-in keeps of a login that names no account: people type their password
# into the login box by mistake.
UNKNOWN_LOGIN = "(unknown login)"
# What the log says of a password that was set: that it was, and nothing of it.
PASSWORD_SET = "（已重设）"


def record_action(
    *,
    staff_id: int | None,
    unit_id: int | None,
    action: str,
    target: str,
    before: dict | None = None,
    after: dict | None = None,
    now: datetime,
) -> AuditEntry:
    """Write one audit entry: who (None: the system), which unit (None: the bureau's), the
    action ("staff.update", "session.sign_in", "export", ...), its target, and the record
    before and after (None for a creation, or for an action that changes no record)."""
    with unit_of_work():  # joins the caller's, if any
        return AuditEntry.create(
            at=now,
            staff=staff_id,
            unit=unit_id,
            action=action,
            target=target,
            before=_dump(before),
            after=_dump(after),
        )


# The name the configuration editor and the tokens first called it by.
record_change = record_action


def _dump(record: dict | None) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, default=_plain)


def _plain(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"not JSON: {value!r}")


# --- what is audited ---------------------------------------------------------------------


def record_sign_in(staff: Staff, *, client: str, now: datetime) -> AuditEntry:
    """Record a staff member's sign-in, and from which address."""
    return record_action(staff_id=staff.id, unit_id=staff.unit_id, action="session.sign_in",
                         target=staff.login, after={"client": client}, now=now)  # fmt: skip


def count_failed_sign_in(login: str, *, client: str, now: datetime) -> AuditEntry:
    """Count a failed sign-in (a wrong password) in the quarter hour's entry for that login
    and client, made by the first one.
    The login is kept only when it names an account; the password never is."""
    account = Staff.get_or_none(Staff.login == login)
    target = account.login if account else UNKNOWN_LOGIN
    start = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    with unit_of_work():  # the write lock: two failures at once cannot both start an entry
        entries = AuditEntry.select().where(
            AuditEntry.action == "session.sign_in_failed",
            AuditEntry.target == target,
            AuditEntry.at >= start,
            AuditEntry.at < start + FAILURE_BUCKET,
        )
        entry = next((e for e in entries if json.loads(e.after)["client"] == client), None)
        counts = {"client": client, "failures": 0}
        counts |= json.loads(entry.after) if entry else {}
        counts["failures"] += 1
        counts["last"] = iso(now)
        if entry is None:
            return record_action(staff_id=None, unit_id=account.unit_id if account else None,
                                 action="session.sign_in_failed", target=target, after=counts,
                                 now=now)  # fmt: skip
        entry.after = _dump(counts)
        entry.save()
        return entry


def record_account_changes(entry: AuditEntry) -> None:
    """Pick an account's new role and a password set out of its configuration entry
    ("staff.create", "staff.update") as entries of their own, "staff.role" and
    "staff.password", which the log's filter finds: who gave whom which rights."""
    if entry.action not in ("staff.create", "staff.update"):
        return
    before, after = json.loads(entry.before) or {}, json.loads(entry.after) or {}
    same = {"staff_id": entry.staff_id, "unit_id": entry.unit_id, "target": entry.target,
            "now": entry.at}  # fmt: skip
    if before.get("role") != after.get("role"):
        record_action(action="staff.role", before={"role": before.get("role")} if before else None,
                      after={"role": after.get("role")}, **same)  # fmt: skip
    if "password" in after:  # the editor writes PASSWORD_SET there, never the password
        record_action(action="staff.password", after={"password": PASSWORD_SET}, **same)
    if before.get("active") is True and after.get("active") is False:
        record_action(action="staff.deactivate", after={"active": False}, **same)


def record_export(staff: Staff, kind: str, table: dict, fmt: str, now: datetime) -> AuditEntry:
    """Record that a ledger or register left qhall (a file, or JSON to a program): which,
    whose, which period, in what format and how many rows; never the rows."""
    unit = Unit.get_or_none(Unit.code == table["unit"]) if table["unit"] else None
    what = {"kind": kind, "unit": table["unit"], "from": table["start"], "to": table["end"],
            "format": fmt, "rows": len(table["rows"])}  # fmt: skip
    if table.get("by"):
        what["by"] = table["by"]  # a ledger's grouping
    if isinstance(table.get("total"), int):
        what["of"] = table["total"]  # a register's rows in the period, when not all went
    return record_action(staff_id=staff.id, unit_id=unit.id if unit else None, action="export",
                         target=f"{table['unit'] or 'ALL'}/{kind}", after=what, now=now)  # fmt: skip


def record_erasure(erased: dict[str, dict], *, now: datetime, keep_days: int) -> None:
    """Record an erasure of visitors' personal data (qhall.retention): one entry per unit
    with how many of each kind were blanked; never whose."""
    units = {unit.code: unit.id for unit in Unit.select(Unit.id, Unit.code)}
    for code, counts in erased.items():
        record_action(staff_id=None, unit_id=units.get(code), action="privacy.erase",
                      target=code, after={**counts, "keep_days": keep_days}, now=now)  # fmt: skip


# --- reading the log ---------------------------------------------------------------------


def audit_log(
    viewer: Staff,
    *,
    unit_id: int | None = None,
    action: str | None = None,
    login: str | None = None,
    start: date | None = None,
    end: date | None = None,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> dict:
    """Return a page of the entries the viewer may see, newest first, and how many there
    are: a manager sees their unit's, the bureau every unit's and the bureau-wide ones.
    Filters: a unit, an action or its start ("staff." finds staff.update and staff.role),
    who acted (a login), and a period of days, in the hall's time zone (the bureau's for the
    bureau-wide log), the zone its times are shown in."""
    size = max(1, min(size, PAGE_MAX))
    zones = {unit.id: unit.timezone for unit in Unit.select(Unit.id, Unit.timezone)}
    bureau = bureau_timezone()
    shown_in = zones.get(unit_id if unit_id is not None else viewer.unit_id) or bureau
    query = AuditEntry.select(AuditEntry, Staff).join(Staff, JOIN.LEFT_OUTER)
    if not sees_every_unit(viewer):
        query = query.where(AuditEntry.unit == viewer.unit_id)
    elif unit_id is not None:
        query = query.where(AuditEntry.unit == unit_id)
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    if login:
        query = query.where(Staff.login == login)
    if start:
        query = query.where(AuditEntry.at >= _midnight(start, shown_in))
    if end:
        query = query.where(AuditEntry.at < _midnight(end + timedelta(days=1), shown_in))
    total = query.count()
    pages = max(1, -(-total // size))
    rows = query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).paginate(page, size)
    return {"total": total, "page": page, "pages": pages, "size": size, "timezone": shown_in,
            "rows": [audit_view(entry, zones.get(entry.unit_id) or bureau) for entry in rows]}  # fmt: skip


def _midnight(day: date, timezone: str) -> datetime:
    """Return the stored (naive UTC) moment a day starts in timezone."""
    return datetime.combine(day, time(), zone(timezone)).astimezone(UTC).replace(tzinfo=None)


def audit_view(entry: AuditEntry, timezone: str | None = None) -> dict:
    """Return an audit entry with the fields that changed picked out, its action in words
    and its time as the hall's (timezone: its unit's zone; None: looked up)."""
    if timezone is None:
        timezone = unit_timezone(entry.unit)
    action_zh, action_en = action_words(entry.action)
    before, after = json.loads(entry.before), json.loads(entry.after)
    changed = sorted(
        key
        for key in set(before or {}) | set(after or {})
        if (before or {}).get(key) != (after or {}).get(key)
    )
    return {
        "id": entry.id,
        "at": iso(entry.at),
        "at_local": stamp(entry.at, timezone),
        "timezone": timezone,
        "staff": entry.staff.name if entry.staff else None,
        "login": entry.staff.login if entry.staff else None,
        "action": entry.action,
        "action_zh": action_zh,
        "action_en": action_en,
        "target": entry.target,
        "before": before,
        "after": after,
        "changed": changed,
    }
