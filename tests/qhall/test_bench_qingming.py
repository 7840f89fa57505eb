"""The 清明 rush benchmark (qhall.tools.bench_qingming), run small against a real server:
whatever the rush, no slot takes more than its places, no phone books twice, every place
is taken and the report names its figures. Nothing here is timed."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from qhall.tools.bench_qingming import check_database, kind_of, slot_starts, workload


@pytest.mark.live
def test_a_small_rush_fills_every_place_once_and_reports_its_figures(tmp_path):
    report_file = tmp_path / "rush.json"
    run = subprocess.run(
        [sys.executable, "-m", "qhall.tools.bench_qingming", "--requests", "600",
         "--clients", "20", "--slots", "3", "--capacity", "5", "--json", str(report_file)],
        capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(report_file.read_text())

    assert report["overbooked_slots"] == 0
    assert report["double_bookings"] == 0
    # Every place taken, each by a booking its visitor was told of, and nothing else.
    assert report["bookings_made"] == report["rows"] == report["places"] == 15
    assert report["answered_without_row"] == report["rows_without_answer"] == 0
    assert report["refused_429"] == report["other_answers"] == 0
    assert report["requests"] == 600
    assert report["refused_full"] + report["refused_already_booked"] == 600 - 15
    for figure in ("bookings_per_s", "requests_per_s", "p50_ms", "p95_ms", "p99_ms",
                   "max_ms", "overbooked_slots", "double_bookings", "peak_rss_mb"):  # fmt: skip
        assert figure in run.stdout
    assert "清明" in run.stdout and "target < 200" in run.stdout


def test_the_rush_repeats_phones_that_asked_a_moment_before():
    work = workload(2000, slot_starts(4), repeat_share=0.1)
    phones = [phone for phone, _start in work]
    repeats = len(phones) - len(set(phones))
    assert 100 < repeats < 300
    assert {start for _phone, start in work} == {"08:00", "08:30", "09:00", "09:30"}


def test_answers_are_told_apart_by_what_the_visitor_was_told():
    full = {"message_en": "Sorry, this slot is fully booked. Please choose another."}
    assert kind_of(201, {"code": "K7QM2XPA"}) == "booked"
    assert kind_of(409, full) == "full"
    assert kind_of(409, {"error": "conflict", "code": "already_booked"}) == "already_booked"
    assert kind_of(429, {"error": "too_many_bookings"}) == "limited"
    assert kind_of(409, {"message_en": "Sorry, this slot cannot be booked."}) == "other"
    assert kind_of(500, {}) == "other"


def test_the_check_finds_an_overbooked_slot_a_double_booking_and_an_unanswered_row(tmp_path):
    database = tmp_path / "qhall.db"
    with sqlite3.connect(database) as connection:
        connection.executescript(
            "CREATE TABLE unit (id INTEGER PRIMARY KEY, code TEXT);"
            "CREATE TABLE service (id INTEGER PRIMARY KEY, unit_id INTEGER, code TEXT);"
            "CREATE TABLE booking (code TEXT, service_id INTEGER, day TEXT, start TEXT,"
            " visitor_phone TEXT, state TEXT);"
            "INSERT INTO unit VALUES (1, 'LSLY'); INSERT INTO service VALUES (1, 1, 'A');"
        )
        connection.executemany(
            "INSERT INTO booking VALUES (?, 1, '2026-12-05', ?, ?, 'booked')",
            [
                ("AAAA0001", "08:00", "13900000001"),
                ("AAAA0002", "08:00", "13900000002"),
                ("AAAA0003", "08:30", "13900000001"),
            ],
        )
    answers = [{"kind": "booked", "code": "AAAA0001"}, {"kind": "booked", "code": "AAAA0002"},
               {"kind": "booked", "code": "LOST0001"}]  # fmt: skip

    found = check_database(database, "2026-12-05", 1, answers)

    assert found == {"rows": 3, "overbooked_slots": 1, "double_bookings": 1,
                     "answered_without_row": 1, "rows_without_answer": 1}  # fmt: skip
