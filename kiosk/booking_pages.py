"""The visitor's booking page (/book/<unit>): pick a service, a day and a slot, give a name
and a phone, and keep the booking code and its QR; or cancel or move a booking by its code
and phone. The page calls kiosk.booking_api; the server only draws its frame."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import abort, current_app, render_template, request

from kiosk import bp
from qhall import texts
from qhall.appointments import CODE_ALPHABET, CODE_LENGTH
from qhall.lookups import find_unit


@bp.get("/book/<unit>")
def book_page(unit: str):
    """Show a hall's booking page for visitors' phones."""
    return render_template("kiosk/book.html", unit=find_unit(unit), texts=texts.is_enabled())


@bp.get("/book/<unit>/qr.svg")
def booking_qr(unit: str):
    """Return the QR code of a booking code (?code=), which the kiosk's scanner reads."""
    find_unit(unit)
    code = (request.args.get("code") or "").strip().upper()
    # Only something shaped like a code is drawn: the page is no QR service for anything.
    if len(code) != CODE_LENGTH or not set(code) <= set(CODE_ALPHABET):
        abort(404)
    image = qrcode.make(code, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    out = io.BytesIO()
    image.save(out)
    return current_app.response_class(
        out.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"}
    )
