"""The JSON API under /api: thin views over the queue rules."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from qhall.api import routes  # noqa: E402,F401  (registers the views on bp)
