"""Creating the schema, the reference data every hall needs, and the demo bureau."""

from __future__ import annotations

import tomllib
from pathlib import Path

from config import CONFIG_DIR
from qhall.auth import add_staff
from qhall.db import unit_of_work
from qhall.models import Counter, CounterService, PauseReason, Service, Staff, Unit
from qhall.schema import migrate

DEMO_FILE = CONFIG_DIR / "demo.toml"


def init_db(pause_reasons: list[dict]) -> None:
    """Bring the schema up to date and add the pause reasons no one has defined yet."""
    migrate()
    with unit_of_work():
        for reason in pause_reasons:
            if PauseReason.get_or_none(PauseReason.code == reason["code"]) is None:
                PauseReason.create(**reason)
    from qhall.screens import seed_screen_content

    seed_screen_content()  # the hall screens' rotating content, from config


def load_bureau(path: Path = DEMO_FILE) -> dict:
    """Create the units, services, windows and staff described in a bureau file.

    Units and accounts that already exist are left as they are, so loading twice
    changes nothing.
    Returns the file's contents, for the caller to print the logins.
    """
    bureau = tomllib.loads(path.read_text(encoding="utf-8"))
    for unit_spec in bureau.get("unit", []):
        if Unit.get_or_none(Unit.code == unit_spec["code"]) is None:
            _create_unit(unit_spec)
    people = [(p, u["code"]) for u in bureau.get("unit", []) for p in u.get("staff", [])]
    people += [(p, None) for p in bureau.get("admin", [])]
    for person, unit_code in people:
        # An existing account keeps the password its owner may have changed.
        if Staff.get_or_none(Staff.login == person["login"]) is None:
            add_staff(
                person["login"],
                bureau["password"],
                role=person["role"],
                name=person["name"],
                employee_no=person["employee_no"],
                unit_code=unit_code,
            )
    _give_badges(person for person, _unit in people)
    return bureau


def _give_badges(people) -> None:
    """Give demo staff their model-post badges, unless someone has set badges since."""
    with unit_of_work():
        for person in people:
            if person.get("badges"):
                Staff.update(badges=",".join(person["badges"])).where(
                    Staff.login == person["login"], Staff.badges == ""
                ).execute()


def _create_unit(spec: dict) -> None:
    plain = {k: v for k, v in spec.items() if not isinstance(v, list)}
    with unit_of_work():
        unit = Unit.create(**plain)
        services = {}
        for service_spec in spec.get("service", []):
            services[service_spec["code"]] = Service.create(unit=unit, **service_spec)
        for counter_spec in spec.get("counter", []):
            fields = {k: v for k, v in counter_spec.items() if k != "services"}
            counter = Counter.create(unit=unit, **fields)
            for position, code in enumerate(counter_spec["services"]):
                CounterService.create(counter=counter, service=services[code], position=position)
