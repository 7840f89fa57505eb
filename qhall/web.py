"""What every web layer shares: JSON input and errors, the signed-in staff member, the clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, g, jsonify, render_template, request, session
from werkzeug.exceptions import HTTPException

from qhall.auth import may_work_at, staff_for_token
from qhall.errors import BadInput, Forbidden, HallError, NotSignedIn
from qhall.events import Outcome
from qhall.models import Staff, Unit
from qhall.realtime import alert_staff, publish


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


def register_error_handlers(app) -> None:
    """Answer every error with a polite zh/en message: JSON for the API, a page for a person;
    never a bare 500."""

    @app.errorhandler(HallError)
    def hall_error(error: HallError):
        if error.code in STAFF_ALERTS:
            zh, en = STAFF_ALERTS[error.code]
            alert_staff(error.code, zh, en)
        return _error_response(error.status, error.as_json())

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        body = {
            "error": (error.name or "error").lower().replace(" ", "_"),
            "message": _HTTP_MESSAGES_ZH.get(error.code, "请求无法处理。"),
            "message_en": error.description or error.name,
        }
        return _error_response(error.code or 500, body)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unexpected error on %s %s", request.method, request.path)
        body = {
            "error": "internal",
            "message": "抱歉，系统出现问题，请稍后再试或联系工作人员。",
            "message_en": "Sorry, something went wrong. Please try again or ask the staff.",
        }
        return _error_response(500, body)


# Failures that need a person at once, and what the staff's pages say about them.
STAFF_ALERTS = {
    "storage_full": ("系统存储空间已满，取号与办件无法记录，请立即联系系统管理员。",
                     "The server's storage is full: nothing can be recorded. Call the administrator now."),
    "busy": ("系统数据库繁忙，部分操作未能完成，请稍后重试；如持续出现，请联系系统管理员。",
             "The database is busy and some actions failed. Retry; if it goes on, call the administrator."),
}  # fmt: skip


def _error_response(status: int, body: dict):
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return jsonify(body), status
    return render_template("error.html", status=status, error=body), status


_HTTP_MESSAGES_ZH = {
    400: "请求有误，请检查后重试。",
    404: "抱歉，没有找到您要的内容。",
    405: "不支持该请求方式。",
    413: "请求内容过大。",
    415: "请以 JSON 格式提交。",
    429: "请求过于频繁，请稍后再试。",
}


# No inline script anywhere: every script is a file served by qhall. Styles may be inline.
# 'self' covers the same host's ws:// for Socket.IO; a QR code or a clip may be a data: URL.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "media-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def add_security_headers(response):
    """Tell browsers what this site may load and that no other site may frame it."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Permissions-Policy", "camera=(self), microphone=(), geolocation=()"
    )
    return response


def refuse_cross_site_writes() -> None:
    """Refuse a state-changing request that a signed-in staff member's browser was made to
    send by another site (CSRF).

    Browsers say where a request comes from (Origin, Sec-Fetch-Site); a page of another
    site may not act with this site's session cookie. The session cookie is also SameSite=Lax,
    and programs that sign in with a bearer token carry no cookie to abuse.
    """
    if request.method in ("GET", "HEAD", "OPTIONS") or "staff_id" not in session:
        return
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return
    fetch_site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if fetch_site in ("cross-site", "same-site") or (
        origin and urlsplit(origin).netloc != request.host
    ):
        raise Forbidden(
            "请求来源不正确，请在本系统页面中操作。",
            "This request came from another site. Please use qhall's own pages.",
        )
