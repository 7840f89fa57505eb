"""What every web layer shares: the request's key, the signed-in staff member, the clock,
and publishing a result. (Input is declared and checked in qhall.web.schema.)"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from flask import current_app, g, jsonify, request, session

from qhall.auth import may_work_at, staff_signed_in
from qhall.db import RequestKey
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


def request_key() -> RequestKey | None:
    """Return the request's Idempotency-Key, bound to its sender and route, that makes a
    repeated request harmless (qhall.db.RequestKey); the header's rule is declared once, on
    qhall.web.schema.KeyedHeaders, and checked before the view.

    The same key from another caller, or for another route, is another key: a replay never
    answers anyone but the caller who sent the first request."""
    headers = getattr(getattr(request, "context", None), "headers", None)
    if not isinstance(headers, KeyedHeaders):  # a view that did not declare the header
        headers = validated(KeyedHeaders, dict(request.headers))
    if headers.idempotency_key is None:
        return None
    rule = request.url_rule.rule if request.url_rule else request.path
    route = f"{request.method} {rule} {sorted((request.view_args or {}).items())}"
    body = request.get_data(cache=True)
    return RequestKey(
        key=_digest(_caller(), route, headers.idempotency_key),
        # Keyed under the install's secret: the body may hold an ID number or a phone, and
        # a plain hash of it, kept for a day, could be tried against every number.
        fingerprint=_digest(request.method, request.path, body, secret=_secret()),
    )


def _secret() -> bytes:
    return current_app.config["SECRET_KEY"].encode()


def _caller() -> str:
    # Who sent the request, as far as qhall can tell: a signed-in staff member; else a
    # device by its secret, or a phone by its ticket's token (each hashed: the key is
    # kept, a secret must not be); else whoever is at the client's address.
    staff = current_staff()
    if staff is not None:
        return f"staff:{staff.id}"
    device = request.headers.get("X-Device-Token", "")
    if device:
        return "device:" + _digest(device)
    token = (request.view_args or {}).get("token")
    if token:
        return "ticket:" + _digest(str(token))
    return "anon:" + client_address()


def _digest(*parts: str | bytes, secret: bytes | None = None) -> str:
    digest = hashlib.sha256() if secret is None else hmac.new(secret, digestmod=hashlib.sha256)
    for part in parts:
        data = part if isinstance(part, bytes) else part.encode()
        # Each part's length first, so that no two lists of parts read the same.
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def current_staff() -> Staff | None:
    """Return the staff member signed in by session cookie or bearer token (None once the
    session or token has ended: see qhall.auth.staff_signed_in)."""
    if "staff" not in g:
        g.staff = signed_in_staff()
    return g.staff


def signed_in_staff() -> Staff | None:
    """Return who the current request or Socket.IO connection is signed in as."""
    return staff_signed_in(
        request.headers.get("Authorization", ""),
        dict(session),
        now(),
        session_hours=current_app.config["STAFF_SESSION_HOURS"],
    )


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
