"""The counter pages: the staff's window client and the visitor's rating tablet. Thin views:
the pages load their data from the JSON API."""

from __future__ import annotations

from flask import current_app, render_template, request

from counter import bp
from qhall.lookups import find_counter, find_unit
from qhall.models import Counter, Service, Unit
from qhall.ratings import BAD_LEVEL, DIMENSIONS, LEVEL_NAMES, question_set


@bp.get("/counter")
def counter_client():
    """Show the window client: sign in, choose the window, call and serve, register matters."""
    code = request.args.get("unit")
    if not code:
        return render_template("counter/choose_unit.html", units=Unit.select().order_by(Unit.code))
    unit = find_unit(code)
    return render_template(
        "counter/counter.html",
        unit=unit,
        counters=unit.counters.order_by(Counter.window),
        services=[service for service in unit.services.order_by(Service.code) if service.active],
    )


@bp.get("/counter/rate/<unit>/<int:window>")
def rating_tablet(unit: str, window: int):
    """Show the rating tablet that faces the visitor at a window; it wakes when a visit ends.

    A registered tablet is opened once as …?device=<its secret> (TABLETS in the settings);
    the page keeps the secret and shows it with each request. The page itself is no secret."""
    hall = find_unit(unit)
    return _rate_page(unit=hall, counter=find_counter(hall, window), token=None)


@bp.get("/counter/rating/<token>")
def rating_page(token: str):
    """Show the same rating on the visitor's phone, for the ticket the token names."""
    return _rate_page(unit=None, counter=None, token=token)


def _rate_page(**what):
    config = current_app.config
    return render_template(
        "counter/rate.html",
        levels=LEVEL_NAMES,
        bad_level=BAD_LEVEL,
        dimensions=DIMENSIONS,
        reasons=question_set(config).reasons,
        rectification_days=config["COUNTER"]["RECTIFICATION_DAYS"],
        page_lang="both",
        **what,
    )
