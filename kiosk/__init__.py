"""The self-service kiosk where visitors take tickets, and the ticket's page on the visitor's phone."""

from flask import Blueprint

bp = Blueprint(
    "kiosk",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/kiosk",
)

from kiosk import (  # noqa: E402,F401  (registers the views on bp)
    api,
    booking_api,
    booking_check_in,
    booking_pages,
    case_lookup,
    check_in,
    pages,
    text_messages,
)
