"""The display pages: the hall's big screen, the counter-top screen, their voice clips and
the staff photos they show. Thin views over the hall core."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, render_template, send_file, send_from_directory

from display import bp
from qhall.lookups import find_counter, find_unit
from qhall.profiles import profile_of
from qhall.screens import BADGES
from qhall.voice import clip_file


@bp.get("/display/<unit>")
def hall(unit: str):
    """Show the hall screen: the call now, recent calls, waits, and the campaign content."""
    hall_unit = find_unit(unit)
    return render_template(
        "display/hall.html", unit=hall_unit, profile=profile_of(hall_unit), page_lang="both"
    )


@bp.get("/display/counter/<unit>/<int:window>")
def counter(unit: str, window: int):
    """Show the screen above one window: who serves there and the number being served."""
    hall_unit = find_unit(unit)
    profile = profile_of(hall_unit)
    # Model-post badges are honours like the rankings: a dignified unit shows neither.
    honours = profile.shows("model_window")
    return render_template(
        "display/counter.html",
        unit=hall_unit,
        counter=find_counter(hall_unit, window),
        badges={code: list(labels) for code, labels in BADGES.items()} if honours else {},
        profile=profile,
        words={"welcome": profile.idle[0], "closed": profile.window_closed_note},
        page_lang="both",
    )


@bp.get("/display/voice/<name>")
def voice_clip(name: str):
    """Serve one voice clip: an operator's recording if there is one, else the generated one."""
    path = clip_file(name)
    if path is None:
        abort(404)
    # Short caching: an operator who drops in a new recording hears it within minutes.
    return send_file(path, max_age=300)


@bp.get("/display/photos/<name>")
def staff_photo(name: str):
    """Serve a staff photo from the instance folder's photos/."""
    return send_from_directory(Path(current_app.instance_path) / "photos", name, max_age=3600)
