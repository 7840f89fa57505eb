"""What staff use at the window: calling, first inquiries, time-limited cases, ratings."""

from flask import Blueprint

bp = Blueprint(
    "counter",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/counter",
)

from counter import (  # noqa: E402,F401  (registers the views on bp)
    api,
    bookings_page,
    cases_api,
    matters_api,
    pages,
    ratings_api,
    rectification_api,
)
