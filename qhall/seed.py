"""Creating the schema, the reference data every hall needs, and the demo bureau."""

from __future__ import annotations

import inspect
from pathlib import Path

from config import CONFIG_DIR
from qhall.appointments import set_plan
from qhall.auth import add_staff
from qhall.configure import KINDS, check_required, clean
from qhall.db import unit_of_work
from qhall.errors import BadInput
from qhall.models import Counter, CounterService, PauseReason, Service, Staff, Unit
from qhall.schema import migrate
from qhall.validate import BadConfig, read_toml

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


def load_bureau(path: Path | None = None) -> dict:
    """Create the units, services, windows and staff described in a bureau file.

    Units and accounts that already exist are left as they are, so loading twice
    changes nothing.
    Returns the file's contents, for the caller to print the logins.
    """
    bureau = read_bureau(path or DEMO_FILE)
    for unit_spec in bureau.get("unit", []):
        if Unit.get_or_none(Unit.code == unit_spec["code"]) is None:
            _create_unit(path or DEMO_FILE, unit_spec)
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
                # The demo's published password (config/demo.toml says so); a real
                # bureau file leaves this out and its passwords meet the policy.
                demo_password=bureau.get("demo_passwords", False),
            )
    _give_badges(person for person, _unit in people)
    return bureau


def read_bureau(path: Path) -> dict:
    """Return a bureau file's contents, each hall, service and window checked and cleaned
    by the admin editor's own rules (qhall.configure); BadConfig naming the entry and the
    field, before anything is written, if one breaks them."""
    bureau = read_toml(path)
    for n, unit in enumerate(_entries(path, "", bureau, "unit"), 1):
        entry = f"[[unit]] {unit.get('code') or n}"
        _check_entry(path, entry, KINDS["units"], unit, skip=_UNIT_TABLES)
        for service in _entries(path, entry, unit, "service"):
            where = f"{entry} [[unit.service]] {service.get('code', '')}"
            _check_entry(path, where, KINDS["services"], service, skip=("booking",))
            _check_booking(path, where, service.get("booking"))
        letters = {service["code"] for service in unit.get("service", [])}
        for counter in _entries(path, entry, unit, "counter"):
            where = f"{entry} [[unit.counter]] {counter.get('window', '')}"
            _check_entry(path, where, KINDS["windows"], counter)
            unknown = [code for code in counter.get("services", []) if code not in letters]
            if unknown:
                raise BadConfig(path, where, f"services：本单位没有业务 {', '.join(unknown)}。",
                                f"services: the unit has no service {', '.join(unknown)}.")  # fmt: skip
            counter["services"] = list(dict.fromkeys(counter.get("services", [])))
    return bureau


# A unit's own tables: services and windows are checked here, staff by add_staff, and
# printers, kiosks and tablets where they are read (printer.spooler, qhall.devices).
_UNIT_TABLES = ("service", "counter", "staff", "printer", "kiosk", "tablet")


# A service's booking plan in a bureau file: `booking = { slot_minutes = 30, capacity = 20,
# days_ahead = 7, follows_calendar = false }`, the arguments of qhall.appointments.set_plan,
# which checks their values as the manager's editor does.
_BOOKING_FIELDS = set(inspect.signature(set_plan).parameters) - {"unit_code", "service"}


def _check_booking(path: Path, where: str, booking) -> None:
    """Refuse a service's booking plan that is not a table of set_plan's fields."""
    if booking is None:
        return
    unknown = set(booking) - _BOOKING_FIELDS if isinstance(booking, dict) else {"booking"}
    if unknown:
        raise BadConfig(path, where, f"booking：未知的项 {', '.join(sorted(unknown))}。",
                        f"booking: unknown fields {', '.join(sorted(unknown))}.")  # fmt: skip


def _entries(path: Path, entry: str, table: dict, key: str) -> list[dict]:
    """Return the [[key]] entries of a table, or raise BadConfig if key is something else."""
    entries = table.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise BadConfig(path, entry or key, f"{key} 应写成 [[{key}]] 表。",
                        f"{key} must be written as [[{key}]] tables.")  # fmt: skip
    return entries


def _check_entry(path: Path, entry: str, kind, spec: dict, skip: tuple = ()) -> None:
    """Clean an entry's fields in place by its kind's rules, or raise BadConfig."""
    try:
        check_required(kind, kind.model(), spec)
    except BadInput as error:
        names = ", ".join(error.details.get("fields", []))
        raise BadConfig(path, entry, f"缺少 {names}。", f"{names} missing.") from error
    for name, raw in spec.items():
        if name in skip:
            continue
        try:
            spec[name] = clean(kind, name, raw)
        except BadInput as error:
            raise BadConfig(path, entry, f"{name}：{error.zh}", f"{name}: {error.en}") from error


def _give_badges(people) -> None:
    """Give demo staff their model-post badges, unless someone has set badges since."""
    with unit_of_work():
        for person in people:
            if person.get("badges"):
                Staff.update(badges=",".join(person["badges"])).where(
                    Staff.login == person["login"], Staff.badges == ""
                ).execute()


def _create_unit(path: Path, spec: dict) -> None:
    plain = {k: v for k, v in spec.items() if not isinstance(v, list)}
    with unit_of_work():
        unit = Unit.create(**plain)
        services, plans = {}, {}
        for service_spec in spec.get("service", []):
            fields = {k: v for k, v in service_spec.items() if k != "booking"}
            services[service_spec["code"]] = Service.create(unit=unit, **fields)
            if "booking" in service_spec:
                plans[service_spec["code"]] = service_spec["booking"]
        for counter_spec in spec.get("counter", []):
            fields = {k: v for k, v in counter_spec.items() if k != "services"}
            counter = Counter.create(unit=unit, **fields)
            for position, code in enumerate(counter_spec["services"]):
                CounterService.create(counter=counter, service=services[code], position=position)
        for code, plan in plans.items():
            try:
                set_plan(unit.code, code, **plan)
            except BadInput as error:
                where = f"[[unit]] {unit.code} [[unit.service]] {code}"
                raise BadConfig(
                    path, where, f"booking：{error.zh}", f"booking: {error.en}"
                ) from error
