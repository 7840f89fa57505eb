"""The site-wide routes: the home page, the health check, front-end packages, the list of
halls, the API's document, and staff sign-in (the session every staff page shares)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    send_from_directory,
    session,
)

from qhall.auth import session_mark, sign_out_everywhere
from qhall.db import db
from qhall.models import Unit
from qhall.shapes import staff_view, unit_view
from qhall.sign_ins import sign_in  # qhall.auth's, with the audit log's record
from qhall.web.realtime import end_connections_of
from qhall.web.request import client_address, current_staff, now, require_staff
from qhall.web.schema import (
    STAFF_SECURITY,
    Answer,
    Input,
    Record,
    Staff,
    Units,
    answers,
    spec,
)

bp = Blueprint("site", __name__)

# Front-end packages installed by npm and copied into the package by scripts/setup, served
# by qhall itself: no CDN in a hall, and no npm on a hall server that installs the wheel.
VENDOR_DIR = Path(__file__).resolve().parent / "vendor"
VENDOR_FILES = {"socket.io.min.js", "socket.io.min.js.map", "chart.umd.min.js"}


class Health(Answer):
    status: Literal["ok"]


class SignIn(Input):
    login: str
    password: str


class SignedOut(Answer):
    signed_in: Literal[False]


@bp.get("/healthz")
@spec.validate(resp=answers(Health), operation_id="healthz")
def healthz():
    """Tell a load balancer or a watchdog that the server and its database answer."""
    db.execute_sql("SELECT 1")
    return {"status": "ok"}


@bp.get("/")
def index():
    """List the halls and their pages."""
    return render_template("index.html", units=Unit.select().order_by(Unit.code))


@bp.get("/vendor/<name>")
def vendor(name: str):
    """Serve a front-end package file installed by npm."""
    if name not in VENDOR_FILES:
        abort(404)
    return send_from_directory(VENDOR_DIR, name, max_age=86400)


@bp.get("/api/openapi.json")
@spec.validate(resp=answers(Record, description="This document"), operation_id="openapi")
def openapi():
    """Serve the OpenAPI document of the whole API."""
    # Written once per process, from the routes of the app that first asks (every app
    # qhall builds has the same routes).
    return jsonify(spec.spec)


@bp.get("/api/units")
@spec.validate(resp=answers(Units, 503), operation_id="list_units")
def units():
    """List the service halls."""
    return jsonify([unit_view(unit) for unit in Unit.select().order_by(Unit.code)])


@bp.post("/api/session")
@spec.validate(resp=answers(Staff, 401, 403, 429, 503), operation_id="sign_in")
def start_session(json: SignIn):
    """Sign a staff member in with a login and password (sets the session cookie)."""
    # Deliberately unkeyed, unlike every other POST: replaying a stored answer for an
    # Idempotency-Key would sign the sender in without a password. Each try is checked.
    staff = sign_in(
        json.login,
        json.password,
        client=client_address(),
        now=now(),
        secret=current_app.config["SECRET_KEY"],
    )
    session.clear()
    session.update(session_mark(staff, now()))
    return jsonify(staff_view(staff))


@bp.get("/api/session")
@spec.validate(resp=answers(Staff, 401), security=STAFF_SECURITY, operation_id="who_am_i")
def who_am_i():
    """Return the signed-in staff member."""
    return jsonify(staff_view(require_staff()))


@bp.delete("/api/session")
@spec.validate(resp=answers(SignedOut, 403), operation_id="sign_out")
def sign_out():
    """Sign out: ends every session of the account, on every device, at once."""
    staff = current_staff()
    if staff is not None and not request.headers.get("Authorization"):
        sign_out_everywhere(staff.id)
        end_connections_of(staff.id)
    session.clear()
    return jsonify({"signed_in": False})
