"""create_app(): the only place that builds the qhall application."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, request
from flask_babel import Babel, get_locale
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIG_DIR
from printer.spooler import PrintSetup
from qhall.clock import SystemClock
from qhall.db import connect_database, db, sqlite_url
from qhall.devices import load_tablets
from qhall.instance_files import make_private_database, make_private_folder
from qhall.pages import unit_pages
from qhall.validate import pool_size, read_toml
from qhall.web.errors import register_error_handlers
from qhall.web.realtime import socketio
from qhall.web.schema import HallJSONProvider, Int32Converter, refuse_endless_bodies
from qhall.web.security import HallSessionInterface, SecurityHeaders, refuse_cross_site_writes
from qhall.workdays import official_calendar

LOCALES = ["zh_CN", "en"]


@dataclass
class HallState:
    """What the application holds besides Flask's config: the clock it reads time from."""

    clock: object
    # This process's limit on tickets from outside the hall (kiosk.api.remote_limit).
    remote_limit: object = None


def instance_path() -> Path:
    """Return the instance folder (database, logs, uploads): QHALL_INSTANCE or ./instance."""
    return Path(os.environ.get("QHALL_INSTANCE", "instance")).resolve()


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: config, database, Socket.IO, blueprints."""
    app = Flask(__name__, instance_path=str(instance_path()), instance_relative_config=True)
    app.url_map.converters["int"] = Int32Converter  # before any route is added
    app.session_interface = HallSessionInterface()  # Secure cookie over HTTPS
    make_private_folder(Path(app.instance_path))  # 0700: visitors' data, the secret
    # A file with a mistake stops start-up with one message naming it (BadConfig), never
    # a traceback, nor a 500 later: the settings here, the calendar now, before any request.
    app.config.from_mapping(read_toml(CONFIG_DIR / "default.toml"))
    official_calendar()
    if test_config is None:
        own_settings = Path(app.instance_path) / "qhall.toml"
        if own_settings.exists():
            app.config.from_mapping(read_toml(own_settings))
    else:
        app.config.from_mapping(test_config)
    app.config.from_prefixed_env("QHALL")
    app.config["SECRET_KEY"] = app.config.get("SECRET_KEY") or _instance_secret(app)
    app.config["DATABASE_URL"] = app.config["DATABASE_URL"] or sqlite_url(
        Path(app.instance_path) / "qhall.db"
    )
    # A body over the limit is a 413 before it is read (Werkzeug checks Content-Length,
    # and stops a chunked body at the limit); a form is held to the same.
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]
    app.config["MAX_FORM_MEMORY_SIZE"] = app.config["MAX_BODY_BYTES"]

    make_private_database(app.config["DATABASE_URL"])  # an SQLite file is 0600
    connect_database(
        app.config["DATABASE_URL"],
        synchronous=app.config["SQLITE_SYNCHRONOUS"],
        busy_timeout_s=app.config["SQLITE_BUSY_TIMEOUT_S"],
        pool_size=pool_size(app.config["DATABASE_POOL_SIZE"]),
    )
    app.json = HallJSONProvider(app)  # deep nesting is a 400, not a RecursionError
    app.json.ensure_ascii = False  # Chinese as UTF-8, readable in logs and by hand
    app.extensions["qhall"] = HallState(clock=app.config.get("CLOCK") or SystemClock())

    @app.before_request
    def open_connection():
        db.connect(reuse_if_open=True)

    app.before_request(refuse_cross_site_writes)
    app.before_request(refuse_endless_bodies)

    @app.teardown_appcontext
    def close_connection(_error):
        if not db.is_closed():
            db.close()

    Babel(app, locale_selector=_locale)
    socketio.init_app(
        app,
        async_mode=app.config["ASYNC_MODE"],
        message_queue=app.config["MESSAGE_QUEUE"] or None,
    )
    if app.config["PROXY_HOPS"]:
        # Outside Socket.IO's middleware too, so that its requests see the client's address.
        # X-Forwarded-Proto is one value: the nearest proxy (nginx) sets it, replacing any.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["PROXY_HOPS"]), x_proto=1)
    register_error_handlers(app)
    # Outermost, so that Socket.IO's answers (/socket.io/) carry the headers too.
    app.wsgi_app = SecurityHeaders(app.wsgi_app)

    from admin import api_bp as admin_api_bp
    from admin import bp as admin_bp
    from counter import bp as counter_bp
    from display import bp as display_bp
    from kiosk import bp as kiosk_bp
    from qhall.web.site import bp as site_bp

    # Printers and kiosks; their spooler starts with the other background work
    # (qhall.web.background), never from a request.
    app.extensions["printing"] = PrintSetup.from_settings(app.config, Path(app.instance_path))
    # The rating tablets registered at the windows (qhall.devices), checked at start-up too.
    app.extensions["tablets"] = load_tablets(app.config)
    for blueprint in (site_bp, kiosk_bp, display_bp, counter_bp, admin_bp, admin_api_bp):
        app.register_blueprint(blueprint)

    @app.context_processor
    def page_language():
        """Tell templates the visitor's language: "zh" (the default) or "en"."""
        return {
            "lang": "en" if str(get_locale()).startswith("en") else "zh",
            "page_lang": None,
            "pages": unit_pages,
        }

    return app


def _locale() -> str:
    chosen = request.args.get("lang") or request.cookies.get("lang")
    if chosen in LOCALES:
        return chosen
    return request.accept_languages.best_match(LOCALES) or "zh_CN"


def _instance_secret(app: Flask) -> str:
    """Return the instance's session secret, made once and kept in the instance folder."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
