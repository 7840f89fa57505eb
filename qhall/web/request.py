"""What every web layer shares: the request's key, the signed-in staff member, the clock,
and publishing a result. (Input is declared and checked in qhall.web.schema.)"""

from __future__ import annotations

from datetime import datetime

from flask import current_app, g, jsonify, request, session

from qhall.auth import may_work_at, staff_for_token
from qhall.errors import Forbidden, NotSignedIn
from qhall.events import Outcome
from qhall.models import Staff, Unit
from qhall.web.realtime import publish
from qhall.web.schema import KeyedHeaders, validated


def now() -> datetime:
    """Return the application clock's time (frozen in tests)."""
    return current_app.extensions["qhall"].clock.now()


def client_address() -> str:
    """Return the address of the client that sent the request, for limits per client.

    Behind nginx this is the client's own address, not nginx's: qhall.app trusts
    X-Forwarded-For from exactly PROXY_HOPS proxies (Werkzeug's ProxyFix) and no further,
    so that a client cannot claim another's address by sending the header itself."""
    return request.remote_addr or ""


def request_key() -> str | None:
    """Return the Idempotency-Key header that makes a repeated request harmless; its rule
    is declared once, on qhall.web.schema.KeyedHeaders, and checked before the view."""
    headers = getattr(getattr(request, "context", None), "headers", None)
    if not isinstance(headers, KeyedHeaders):  # a view that did not declare the header
        headers = validated(KeyedHeaders, dict(request.headers))
    return headers.idempotency_key


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
