"""The printers and kiosks the application knows, the address a ticket's QR code carries,
and what every printed ticket carries besides the ticket itself."""

from __future__ import annotations

from flask import current_app, request, url_for


def printing():
    """Return the application's printers and kiosks (printer.spooler.PrintSetup)."""
    return current_app.extensions["printing"]


def phone_url(token: str) -> str:
    """Return the address of the ticket's phone page, as the QR code carries it."""
    return _public_base() + url_for("kiosk.phone", token=token)


def case_lookup_url(number: str) -> str:
    """Return the address of the case-progress page with the case number filled in, as a
    case receipt prints it (the applicant adds their phone's last four digits there)."""
    return _public_base() + url_for("kiosk.case_page", number=number)


def _public_base() -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") or request.url_root.rstrip("/")


def ticket_extras(token: str) -> dict:
    """Return what a ticket's page carries besides the ticket: the QR code's address and
    the hall's civility lines (printer.ticket's qr_url and civility_lines)."""
    return {"qr_url": phone_url(token), "civility_lines": current_app.config["CIVILITY_LINES"]}


def reprint_key(request_key: str | None) -> str | None:
    """Return the print key of a staff reprint: each Idempotency-Key prints one copy, and
    a reprint never collides with the kiosk's one print of the same ticket."""
    return f"reprint:{request_key}" if request_key else None
