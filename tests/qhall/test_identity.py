"""The ID card's rules (qhall.identity): a number checked and hashed under the install's
secret, never kept; the elderly priority by age on the hall day; one open ticket per person
per service a day, also for two requests at once; the hashes gone when the day closes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest

from qhall import identity, queue
from qhall.db import checkpoint, db, is_sqlite
from qhall.errors import BadInput, Conflict
from qhall.models import Ticket
from qhall.routine import run_once
from tests.factories import gen_id_number, gen_unit

HALL_DAY = date(2026, 11, 26)  # the hall day of the tests' clock (tests/conftest.py)


def test_a_number_is_checked_by_its_check_character_and_birth_date():
    assert identity.clean_id_number(" 11010519491231002x ") == "11010519491231002X"
    for wrong in ("110105194912310021", "1101051949123100", "110105194913310020", "", "abc"):
        with pytest.raises(BadInput) as refused:
            identity.clean_id_number(wrong)
        assert "身份证号码不正确" in refused.value.zh and "not valid" in refused.value.en
    with pytest.raises(BadInput):
        identity.clean_id_number(gen_id_number("19540230"))  # no 30 February


def test_the_birth_date_is_read_from_the_number():
    assert identity.birth_date(gen_id_number("19540301")) == date(1954, 3, 1)


@pytest.mark.parametrize(
    "born, on, age",
    [
        (date(1966, 11, 26), HALL_DAY, 60),  # the birthday itself
        (date(1966, 11, 27), HALL_DAY, 59),  # a day short
        (date(1954, 3, 1), HALL_DAY, 72),
        (date(1964, 2, 29), date(2026, 2, 28), 61),  # a leap-day birthday in a common year
        (date(1964, 2, 29), date(2026, 3, 1), 62),
    ],
)
def test_age_in_whole_years_on_a_day(born, on, age):
    assert identity.age_on(born, on) == age


def test_the_elderly_priority_comes_at_the_age_the_hall_sets_unless_one_was_chosen():
    def priority(born, elderly_age=60, chosen=None):
        return identity.card_ticket(
            gen_id_number(born), secret="s", day=HALL_DAY, elderly_age=elderly_age, priority=chosen
        )[1]

    assert priority("19661126") == "elderly"
    assert priority("19661127") is None
    assert priority("19540301", elderly_age=70) == "elderly"
    assert priority("19600101", elderly_age=70) is None
    assert priority("19540301", chosen="disabled") == "disabled"


def test_the_key_depends_on_the_install_secret_and_never_shows_the_number():
    number = gen_id_number()
    key = identity.person_key(number, "hall-one")
    assert key == identity.person_key(number.lower(), "hall-one")
    assert key != identity.person_key(number, "hall-two")
    assert key != identity.person_key(gen_id_number(serial="002"), "hall-one")
    assert number not in key and len(key) == 64


def issue(clock, key, service="A"):
    return queue.issue_ticket("T", service, now=clock.now(), source="kiosk", person_key=key)


def test_one_open_ticket_per_person_per_service_a_day(app, clock):
    gen_unit()
    key = identity.person_key(gen_id_number(), "test")
    first = issue(clock, key).result
    with pytest.raises(Conflict) as refused:
        issue(clock, key)
    assert refused.value.zh == f"您已取得本业务的 {first['number']} 号，请留意叫号。"
    assert first["number"] in refused.value.en
    assert issue(clock, key, service="B").result["number"] == "B001"  # another service
    assert issue(clock, None).result["number"] == "A002"  # nobody's card: no rule
    queue.cancel(first["token"], now=clock.now())
    assert issue(clock, key).result["number"] == "A003"  # the first no longer open
    clock.advance(days=1)
    assert issue(clock, key).result["number"] == "A001"  # the next day


def test_two_requests_with_one_card_at_once_give_one_ticket(app, clock):
    gen_unit()
    key = identity.person_key(gen_id_number(), "test")

    def attempt(_):
        try:
            issue(clock, key)
            return True
        except Conflict:
            return False
        finally:
            db.close()

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(attempt, range(6)))
    assert results.count(True) == 1
    assert Ticket.select().where(Ticket.person_key == key).count() == 1


def database_bytes() -> bytes:
    """Every byte SQLite keeps of the test's database: the file, its log and shared memory."""
    path = Path(db.obj.database)
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    return b"".join(file.read_bytes() for file in files if file.exists())


def test_the_keys_are_erased_from_the_database_files_when_the_day_closes(app, client, clock):
    if not is_sqlite():
        pytest.skip("reads SQLite's files")
    app.config["KIOSKS"] = []
    from printer.config import KioskConfig

    app.extensions["printing"].kiosks = {"k1": KioskConfig(name="k1", unit="T", token="k" * 24)}
    gen_unit()
    number = gen_id_number()
    key = identity.person_key(number, app.config["SECRET_KEY"])
    taken = client.post(
        "/api/units/T/tickets",
        json={"service": "A", "id_number": number},
        headers={"X-Device-Token": "k" * 24, "Idempotency-Key": "card-one-visit"},
    )
    assert taken.status_code == 201 and taken.json["priority"] == "elderly"
    checkpoint()
    kept = database_bytes()
    assert key.encode() in kept  # the day's rule needs it, and the search finds it
    assert number.encode() not in kept  # the number itself never
    clock.advance(days=1)
    run_once(app.config, clock.now(), publish=lambda outcome: None)
    assert Ticket.get().person_key is None
    kept = database_bytes()
    assert key.encode() not in kept and number.encode() not in kept
