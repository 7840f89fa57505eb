"""How errors reach people: a polite zh/en answer, JSON for programs and a page for a person."""

from __future__ import annotations

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from qhall.errors import HallError
from qhall.web.realtime import alert_staff

# How much of a refused body is read and thrown away here, in large pieces (see below).
DISCARD_AT_MOST = 64 * 1024 * 1024
DISCARD_PIECE = 256 * 1024


def discard_refused_body(environ) -> None:
    """Read what is left of a refused request body in large pieces and throw it away.

    Left unread, gunicorn skips it before the connection's next request 1 KiB at a time,
    copying the rest of its buffer at each step: a few 1 MB bodies then held the worker,
    and every request of the hall, for seconds (`qhall bench --abuse`, attack c). Read
    here, the cost is the bytes themselves. A body larger still is left to gunicorn."""
    stream = environ.get("wsgi.input")
    if stream is None:
        return
    discarded = 0
    while discarded < DISCARD_AT_MOST:
        piece = stream.read(DISCARD_PIECE)
        if not piece:
            return
        discarded += len(piece)


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

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_error: RequestEntityTooLarge):
        # The body was not read: the answer says so, and how much is allowed.
        discard_refused_body(request.environ)
        kib = app.config["MAX_BODY_BYTES"] // 1024
        body = {
            "error": "too_large",
            "message": f"请求内容过大（最多 {kib} KiB），请精简后重试。",
            "message_en": f"The request is too large (at most {kib} KiB). Please send less.",
        }
        return _error_response(413, body)

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
