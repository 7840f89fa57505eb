"""The hall's big screen and the small screen above each window."""

from flask import Blueprint

bp = Blueprint(
    "display",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/display",
)

from display import api, pages  # noqa: E402,F401  (registers the views on bp)
