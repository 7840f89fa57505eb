"""Checking a phone's ticket in on arrival (qhall.check_in): the kiosk's check-in screen
and its JSON route, the hall's check-in QR code that only a kiosk or the hall's staff may
fetch, and the page the phone opens from that QR code, which checks in the tickets this
phone follows."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import current_app, render_template, request, url_for
from pydantic import Field

from kiosk import bp
from kiosk.api import VisitorTicket, is_kiosk
from qhall import check_in
from qhall.appointments import CODE_ALPHABET, CODE_LENGTH
from qhall.errors import BadInput
from qhall.lookups import find_unit
from qhall.models import Unit
from qhall.web.printing import printing
from qhall.web.request import now, publish_result, request_key, require_staff
from qhall.web.schema import STAFF, WRITE, Answer, Input, KioskHeaders, answers, spec


class CheckInAtKiosk(Input):
    token: str | None = Field(None, max_length=100, description="scanned from the phone's QR")
    number: str | None = Field(None, max_length=8, description="the ticket's number, typed")
    code: str | None = Field(None, max_length=12, description="the code the phone shows")


class CheckInByPhone(Input):
    hall: str = Field(max_length=64, description="the hall's check-in token of today (its QR)")


class CheckedIn(Answer):
    ticket: VisitorTicket
    already: bool = Field(description="true when the ticket was checked in before")


def at_the_hall(hall: Unit, device_token: str | None) -> int | None:
    """Let through a registered kiosk of the hall (it stands in the hall) or the hall's
    staff, whose id is returned; anyone else is refused before anything is read or written."""
    kiosks = [k for k in printing().kiosks.values() if k.unit == hall.code]
    if any(is_kiosk(k, device_token) for k in kiosks):
        return None
    return require_staff(hall).id


@bp.post("/api/units/<unit>/check-in")
@spec.validate(resp=answers(CheckedIn, *STAFF), operation_id="check_in_at_kiosk")
def check_in_at_kiosk(unit: str, json: CheckInAtKiosk, headers: KioskHeaders):
    """Check a phone's ticket in at a kiosk of the hall: by its QR (token) scanned from the
    phone, or by its number and the code the phone shows.

    Only a registered kiosk of the hall (its X-Device-Token) or the hall's staff; a wrong
    number or code gets one answer (403) and records nothing.
    """
    hall = find_unit(unit)
    staff_id = at_the_hall(hall, headers.device_token)
    if not json.token and not (json.number and json.code):
        raise BadInput(
            "请扫描手机上的号票二维码，或输入号码和签到码。",
            "Scan the ticket's QR code on the phone, or type the number and the check-in code.",
        )
    outcome = check_in.check_in_at_kiosk(
        hall.code,
        token=json.token,
        number=json.number,
        code=json.code,
        now=now(),
        staff_id=staff_id,
        request_key=request_key(),
    )
    return publish_result(outcome)


@bp.post("/api/tickets/<token>/check-in")
@spec.validate(resp=answers(CheckedIn, *WRITE), operation_id="check_in_by_phone")
def check_in_by_phone(token: str, json: CheckInByPhone, headers: KioskHeaders):
    """Check a phone's ticket in from the phone: the ticket's own token and the hall's
    check-in token of today, which only the hall shows (its QR at the kiosks and the
    entrance), as proof that its holder is in the hall (403 otherwise)."""
    outcome = check_in.check_in_by_phone(
        token,
        json.hall,
        secret=current_app.config["SECRET_KEY"],
        now=now(),
        request_key=request_key(),
    )
    return publish_result(outcome)


@bp.get("/api/units/<unit>/check-in.svg")
@spec.validate(
    resp=answers(None, *STAFF, description="An SVG QR code", file="image/svg+xml"),
    operation_id="check_in_qr",
)
def check_in_qr(unit: str, headers: KioskHeaders):
    """Return the hall's check-in QR code of today, which phones scan to check in.

    Only a registered kiosk of the hall or the hall's staff (to print it for the entrance):
    the code proves that whoever scans it stands in the hall.
    """
    hall = find_unit(unit)
    at_the_hall(hall, headers.device_token)
    shown = check_in.todays_hall_token(current_app.config["SECRET_KEY"], hall, now())
    address = url_for("kiosk.phone_check_in", unit=hall.code, h=shown, _external=True)
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    if base:  # behind a proxy the phones reach the public address
        address = base + url_for("kiosk.phone_check_in", unit=hall.code, h=shown)
    code = qrcode.make(address, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    out = io.BytesIO()
    code.save(out)
    # A new code every hall day: never kept by a cache.
    return current_app.response_class(
        out.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"}
    )


@bp.get("/kiosk/<unit>/check-in")
def kiosk_check_in(unit: str):
    """Show a kiosk's check-in screen: scan or type a phone's ticket or a booking's code;
    the hall's QR code."""
    hall = find_unit(unit)
    kiosk = printing().kiosk(hall.code, request.args.get("kiosk"))  # back to the same kiosk
    return render_template(
        "kiosk/check_in.html",
        unit=hall,
        kiosk=kiosk,
        printer=printing().printer_of(kiosk),  # a booking's ticket prints here
        code_alphabet=CODE_ALPHABET,
        code_length=CODE_LENGTH,
    )


@bp.get("/check-in/<unit>")
def phone_check_in(unit: str):
    """Show the page the hall's check-in QR code opens on a phone: it checks in the tickets
    this phone follows (their pages keep their tokens on the phone)."""
    hall = find_unit(unit)
    page = render_template(
        "kiosk/phone_check_in.html", unit=hall, shown=request.args.get("h", "")[:64]
    )
    # The address carries the day's hall token: no cache, no referrer.
    return page, 200, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
