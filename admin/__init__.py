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

from admin import routes  # noqa: E402,F401  (registers the views on bp)
