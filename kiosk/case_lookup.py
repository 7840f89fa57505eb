"""The public case-progress page (/case) and its JSON route: the applicant's own look at a
case, by the number on the receipt and the last four digits of their phone
(qhall.case_lookup). Each address may ask a few times per window (SlidingWindowLimit), so
that no one can try numbers and digits until one fits."""

from __future__ import annotations

from flask import current_app, jsonify, render_template, request
from pydantic import Field

from kiosk import bp
from qhall import case_lookup
from qhall.errors import HallError, TooManyAttempts
from qhall.limits import SlidingWindowLimit
from qhall.web.request import now
from qhall.web.schema import Input, Record, answers, spec

# Enough for an applicant who mistypes a few times; far too few to guess digits (1 in
# 10,000 a try) or to walk through case numbers.
LOOKUPS_PER_CLIENT = 10
LOOKUP_WINDOW_S = 600


class TooManyLookups(TooManyAttempts):
    code = "too_many_lookups"
    zh = "查询次数过多，请 10 分钟后再试；如需帮助，请拨打回执上的咨询电话。"
    en = "Too many lookups from here. Please try again in 10 minutes, or call the number on your receipt."


class CaseProgressQuery(Input):
    number: str = Field(max_length=40, description="the case number on the receipt")
    digits: str = Field(max_length=8, description="the last four digits of the phone given")


def lookup_limit() -> SlidingWindowLimit:
    """Return this process's limit on case lookups, per client address."""
    return current_app.extensions.setdefault(
        "case_lookup_limit", SlidingWindowLimit(LOOKUPS_PER_CLIENT, LOOKUP_WINDOW_S)
    )


def progress(number, digits) -> dict:
    """Count the lookup against the client's address, then look the case up."""
    if not lookup_limit().allow(request.remote_addr or "", now()):
        raise TooManyLookups()
    return case_lookup.look_up(number, digits, now=now())


@bp.post("/api/case-progress")
@spec.validate(resp=answers(Record, 404, 429, 503), operation_id="case_progress")
def case_progress(json: CaseProgressQuery):
    """Return a case's progress to its applicant: the receipt's case number and the last
    four digits of the phone given at acceptance. Nothing personal is returned; a wrong
    number and wrong digits get the same 404; each address may ask 10 times in 10 minutes
    (429 beyond)."""
    return jsonify(progress(json.number, json.digits))


@bp.route("/case", methods=["GET", "POST"])
def case_page():
    """Show the case-progress form, and the case's progress once asked (?number= fills in
    the number, as the receipt's QR code does)."""
    number = request.values.get("number", "")[:40]
    found, error = None, None
    if request.method == "POST":
        try:
            found = progress(number, request.form.get("digits", ""))
        except HallError as refusal:
            error = refusal
    answer = render_template("kiosk/case.html", number=number, found=found, error=error)
    return answer, error.status if error else 200, {"Cache-Control": "no-store"}
