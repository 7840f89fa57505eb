"""What unit managers and the bureau use to run and supervise the halls."""

from flask import Blueprint

bp = Blueprint(
    "admin",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/admin",
    url_prefix="/admin",
)

# The admin's JSON routes live under /api/admin, beside the rest of the API.
api_bp = Blueprint("admin_api", __name__, url_prefix="/api")

from admin import api, approvals, calendar_days, outbox_api, pages, registers  # noqa: E402,F401  (registers the views on bp and api_bp)
