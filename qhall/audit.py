"""The audit log of configuration changes: who changed what, with the record before and after.

record_change() runs inside the caller's write transaction, so a change and its entry are
committed together or not at all.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from qhall.access import sees_every_unit
from qhall.clock import iso
from qhall.models import Staff
from qhall.supervision_models import AuditEntry


def record_change(
    *,
    staff_id: int | None,
    unit_id: int | None,
    action: str,
    target: str,
    before: dict | None,
    after: dict | None,
    now: datetime,
) -> AuditEntry:
    """Write one audit entry; call it in the transaction that makes the change."""
    return AuditEntry.create(
        at=now,
        staff=staff_id,
        unit=unit_id,
        action=action,
        target=target,
        before=_dump(before),
        after=_dump(after),
    )


def _dump(record: dict | None) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, default=_plain)


def _plain(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"not JSON: {value!r}")


def audit_entries(viewer: Staff, *, unit_id: int | None = None, limit: int = 200) -> list[dict]:
    """Return the latest changes the viewer may see, newest first: a manager sees their
    unit's, the bureau every unit's and the bureau-wide ones."""
    query = AuditEntry.select().order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if not sees_every_unit(viewer):
        query = query.where(AuditEntry.unit == viewer.unit_id)
    elif unit_id is not None:
        query = query.where(AuditEntry.unit == unit_id)
    return [audit_view(entry) for entry in query]


def audit_view(entry: AuditEntry) -> dict:
    """Return an audit entry with the fields that changed picked out."""
    before, after = json.loads(entry.before), json.loads(entry.after)
    changed = sorted(
        key
        for key in set(before or {}) | set(after or {})
        if (before or {}).get(key) != (after or {}).get(key)
    )
    return {
        "id": entry.id,
        "at": iso(entry.at),
        "staff": entry.staff.name if entry.staff else None,
        "login": entry.staff.login if entry.staff else None,
        "action": entry.action,
        "target": entry.target,
        "before": before,
        "after": after,
        "changed": changed,
    }
