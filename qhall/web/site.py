"""The site-wide routes: the home page, the health check, front-end packages, the list of
halls, the API's document, and staff sign-in (the session every staff page shares)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, jsonify, render_template, request, send_from_directory, session

from qhall.auth import sign_in
from qhall.db import db
from qhall.models import Unit
from qhall.shapes import staff_view, unit_view
from qhall.web.openapi import openapi_document
from qhall.web.request import field, json_body, now, require_staff

bp = Blueprint("site", __name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent

# Front-end packages installed by npm and served by qhall itself: no CDN in a hall.
VENDOR_FILES = {
    "socket.io.min.js": PROJECT_ROOT / "node_modules/socket.io-client/dist",
    "socket.io.min.js.map": PROJECT_ROOT / "node_modules/socket.io-client/dist",
    "chart.umd.min.js": PROJECT_ROOT / "node_modules/chart.js/dist",  # the admin's charts
}


@bp.get("/healthz")
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
    return send_from_directory(VENDOR_FILES[name], name, max_age=86400)


@bp.get("/api/openapi.json")
def openapi():
    """Serve the OpenAPI document of the whole API."""
    return jsonify(openapi_document())


@bp.get("/api/units")
def units():
    """List the service halls."""
    return jsonify([unit_view(unit) for unit in Unit.select().order_by(Unit.code)])


@bp.post("/api/session")
def start_session():
    """Sign a staff member in with a login and password (sets the session cookie)."""
    body = json_body()
    staff = sign_in(
        field(body, "login", str),
        field(body, "password", str),
        client=request.remote_addr or "",
        now=now(),
    )
    session.clear()
    session["staff_id"] = staff.id
    return jsonify(staff_view(staff))


@bp.get("/api/session")
def who_am_i():
    """Return the signed-in staff member."""
    return jsonify(staff_view(require_staff()))


@bp.delete("/api/session")
def sign_out():
    """Sign out."""
    session.clear()
    return jsonify({"signed_in": False})
