"""What every web layer shares: JSON input and errors, the signed-in staff member, the clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, g, jsonify, request, session

from qhall.auth import may_work_at, staff_for_token
from qhall.errors import BadInput, Forbidden, NotSignedIn
from qhall.events import Outcome
from qhall.models import Staff, Unit
from qhall.web.realtime import publish


def now() -> datetime:
    """Return the application clock's time (frozen in tests)."""
    return current_app.extensions["qhall"].clock.now()


def json_body() -> dict:
    """Return the request's JSON object; an empty body counts as {}."""
    if not request.get_data(cache=True):
        return {}
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadInput("请求内容须为 JSON 对象。", "The request body must be a JSON object.")
    return body


def field(body: dict, name: str, kind: type | tuple[type, ...], *, required: bool = True) -> Any:
    """Return body[name] if it has the expected type; None if it is optional and absent."""
    value = body.get(name)
    if value is None:
        if required:
            raise BadInput(f"缺少字段 {name}。", f"The field '{name}' is required.", field=name)
        return None
    # JSON true/false are ints to Python; a window number must not accept them.
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _kinds(kind)):
        raise BadInput(
            f"字段 {name} 的类型不正确。", f"The field '{name}' has the wrong type.", field=name
        )
    return value


def _kinds(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def request_key() -> str | None:
    """Return the Idempotency-Key header that makes a repeated request harmless."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 8 <= len(key) <= 100:
        raise BadInput(
            "Idempotency-Key 长度应为 8 到 100 个字符。",
            "Idempotency-Key must be 8 to 100 characters.",
        )
    return key


def current_staff() -> Staff | None:
    """Return the staff member signed in by session cookie or bearer token."""
    if "staff" not in g:
        staff = None
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            staff = staff_for_token(header.removeprefix("Bearer ").strip())
        elif "staff_id" in session:
            staff = Staff.get_or_none(Staff.id == session["staff_id"], Staff.active == True)  # noqa: E712
        g.staff = staff
    return g.staff


def require_staff(unit: Unit | None = None) -> Staff:
    """Return the signed-in staff member, who must be allowed to work at unit if given."""
    staff = current_staff()
    if staff is None:
        raise NotSignedIn()
    if unit is not None and not may_work_at(staff, unit):
        raise Forbidden(
            "抱歉，您不是该服务大厅的工作人员。", "Sorry, you do not work at this hall."
        )
    return staff


def publish_result(outcome: Outcome, status: int = 200):
    """Publish an outcome's events (the commit is done) and answer with its result."""
    publish(outcome)
    response = jsonify(outcome.result)
    response.status_code = status
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response
