"""The printers and kiosks the application knows, and the address a ticket's QR code carries."""

from __future__ import annotations

from flask import current_app, request, url_for


def printing():
    """Return the application's printers and kiosks (printer.spooler.PrintSetup)."""
    return current_app.extensions["printing"]


def phone_url(token: str) -> str:
    """Return the address of the ticket's phone page, as the QR code carries it."""
    base = current_app.config["PUBLIC_URL"].rstrip("/") or request.url_root.rstrip("/")
    return base + url_for("kiosk.phone", token=token)
