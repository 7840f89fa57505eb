"""Today's bookings for the hall's window staff (预约, qhall.appointments): per service the
counts by state and each booking with its time, masked name, state and, once checked in
at the kiosk, its ticket's number. The page reads /api/units/<unit>/bookings/day."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from counter import bp
from qhall.lookups import find_unit
from qhall.web.request import current_staff, require_staff


@bp.get("/counter/bookings")
def bookings_page():
    """Show today's bookings of a hall (?unit=) to its signed-in staff, refreshed every 30 s."""
    hall = find_unit(request.args.get("unit") or "")
    if current_staff() is None:  # signed in at the window client, then back here
        return redirect(url_for("counter.counter_client", unit=hall.code))
    require_staff(hall)  # staff of another hall: 403
    return render_template("counter/bookings.html", unit=hall)
