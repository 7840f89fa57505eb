"""The kiosk page, and the ticket's page on the visitor's phone: thin views over the core."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import abort, current_app, render_template, request

from kiosk import bp
from printer.ticket import PRIORITY_LABELS
from qhall import texts
from qhall.errors import HallError, NotFound
from qhall.lookups import find_service, find_ticket, find_unit
from qhall.notices import notice_view
from qhall.profiles import profile_of
from qhall.ratings import BAD_LEVEL, LEVEL_NAMES, question_set
from qhall.shapes import visitor_view
from qhall.web.printing import phone_url, printing
from qhall.web.security import CONTENT_SECURITY_POLICY

# The classes a visitor may choose at the kiosk; "appointment" comes from a booking.
KIOSK_PRIORITIES = ("elderly", "disabled", "military", "pregnant")


@bp.get("/kiosk/<unit>")
def kiosk(unit: str):
    """Show a hall's self-service kiosk (?kiosk=<name> picks the kiosk and its printer)."""
    hall = find_unit(unit)
    name = request.args.get("kiosk")
    kiosk = printing().kiosk(hall.code, name)
    if name and kiosk is None:
        raise NotFound("没有找到该自助机。", "No such kiosk in this hall.", kiosk=name)
    config = current_app.config
    page = render_template(
        "kiosk/kiosk.html",
        unit=hall,
        kiosk=kiosk,
        printer=printing().printer_of(kiosk),
        priorities=[(code, *PRIORITY_LABELS[code]) for code in KIOSK_PRIORITIES],
        civility=config["CIVILITY_LINES"][0]
        if config["CIVILITY_LINES"] and profile_of(hall).campaign_lines
        else ("", ""),
        timing={
            "idle": config["KIOSK_IDLE_S"],
            "ticket": config["KIOSK_TICKET_S"],
            "unprinted": config["KIOSK_TICKET_UNPRINTED_S"],
        },
        elderly_age=config["ID_CARD"]["ELDERLY_AGE"],
        texts=texts.is_enabled(),
    )
    if kiosk is None or not kiosk.id_card_bridge:
        return page
    # The page may also reach its own machine's ID card reader (kiosk/id_card_bridge.py).
    policy = CONTENT_SECURITY_POLICY.replace(
        "connect-src 'self'", f"connect-src 'self' {kiosk.id_card_bridge}"
    )
    return page, {"Content-Security-Policy": policy}


@bp.get("/t/<token>")
def phone(token: str):
    """Show a visitor's ticket on their phone, live."""
    try:
        ticket = visitor_view(token)
    except HallError as error:
        return render_template("kiosk/phone.html", ticket=None, error=error), error.status
    row = find_ticket(token)
    return render_template(
        "kiosk/phone.html",
        ticket=ticket,
        token=token,
        notice=notice_view(row.service),
        # The rule on a missed call (qhall.queue.requeue_no_show), in the hall's own minutes.
        grace_minutes=row.unit.no_show_grace_s // 60,
        levels=sorted(LEVEL_NAMES.items(), reverse=True),
        bad_level=BAD_LEVEL,
        reasons=question_set(current_app.config).reasons,
        rectification_days=current_app.config["COUNTER"]["RECTIFICATION_DAYS"],
        text_me=texts.ticket_phone(row),
    )


@bp.get("/kiosk/<unit>/notice/<service>")
def service_notice(unit: str, service: str):
    """Return a service's 一次性告知 as a fragment of the kiosk's guide screen."""
    notice = notice_view(find_service(find_unit(unit), service))
    return render_template("kiosk/notice.html", notice=notice, fragment=True)


@bp.get("/t/<token>/qr.svg")
def phone_qr(token: str):
    """Return the QR code of the ticket's phone page, for the kiosk's screen."""
    try:
        find_ticket(token)
    except NotFound:
        abort(404)
    code = qrcode.make(phone_url(token), image_factory=qrcode.image.svg.SvgPathImage, border=2)
    out = io.BytesIO()
    code.save(out)
    return current_app.response_class(
        out.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"}
    )
