"""The benchmark's pure helpers (qhall.tools.bench, qhall.tools.bench_calling): reading its
options, writing the wrk script, counting double calls. Nothing here is timed."""

from __future__ import annotations

import pytest

from qhall.tools.bench import (
    QHALL_BODIES,
    QHALL_HEADERS,
    check_local,
    comparison_table,
    lua_string,
    medians,
    parse_header,
    parse_setting,
    parse_steps,
    verdicts,
    wrk_script,
)
from qhall.tools.bench_calling import double_calls, window_logins


def test_a_header_is_read_from_name_colon_value():
    assert parse_header("X-Device-Token: demo-kiosk-mzj") == ("X-Device-Token", "demo-kiosk-mzj")
    assert parse_header("Authorization:Bearer a:b") == ("Authorization", "Bearer a:b")


@pytest.mark.parametrize("line", ["no colon", ": value", "Bad Name: x", "X-A: a\r\nX-B: b"])
def test_a_malformed_header_is_refused_in_both_languages(line):
    with pytest.raises(ValueError, match="请求头.*A header"):
        parse_header(line)


def test_a_setting_is_read_with_or_without_its_prefix():
    assert parse_setting("SQLITE_SYNCHRONOUS=NORMAL") == ("SQLITE_SYNCHRONOUS", "NORMAL")
    assert parse_setting("QHALL_DATABASE_POOL_SIZE=8") == ("DATABASE_POOL_SIZE", "8")
    with pytest.raises(ValueError, match="KEY=VALUE"):
        parse_setting("SQLITE_SYNCHRONOUS")


def test_only_an_address_on_this_machine_is_compared_with():
    assert check_local("http://127.0.0.1:8001/api/tickets") == "http://127.0.0.1:8001/api/tickets"
    assert check_local("http://localhost:8001/") and check_local("http://[::1]:8001/")
    for url in ("http://192.168.1.5/", "http://example.com/", "ftp://127.0.0.1/", "127.0.0.1"):
        with pytest.raises(ValueError, match="本机.*this machine"):
            check_local(url)


def test_steps_run_in_the_bench_order_and_an_unknown_one_is_refused():
    assert parse_steps("print, call") == ("call", "print")
    assert parse_steps("issue,call,screens,print") == ("issue", "call", "screens", "print")
    assert parse_steps("outbox,issue") == ("issue", "outbox")
    with pytest.raises(ValueError, match="未知的步骤.*Unknown step"):
        parse_steps("issue,calls")


def test_lua_strings_escape_quotes_line_ends_and_utf8_bytes():
    assert lua_string('{"a": 1}') == '"{\\034a\\034: 1}"'
    assert lua_string("\\\n") == '"\\092\\010"'
    assert lua_string("号") == '"\\229\\143\\183"'


def test_the_wrk_script_carries_the_method_headers_and_bodies():
    qhall = wrk_script("POST", QHALL_HEADERS, QHALL_BODIES)
    assert 'wrk.method = "POST"' in qhall
    assert 'wrk.headers["X-Device-Token"] = "demo-kiosk-mzj"' in qhall
    assert qhall.count("\\034service\\034") == 4  # the four services in turn
    other = wrk_script("GET", {}, [])
    assert "local bodies = {false}" in other  # no body
    assert "connection answered" in other  # fairness counted on both sides alike


def test_a_ticket_called_twice_counts_once_and_a_number_of_another_day_not_at_all():
    calls = [("A001", "t1"), ("A002", "t1"), ("A001", "t1"), ("A001", "t1"), ("A001", "t2")]
    assert double_calls(calls) == 1
    assert double_calls([("A001", "t1"), ("B001", "t1")]) == 0


def test_the_bench_windows_stay_clear_of_the_demo_windows():
    logins = window_logins(8)
    assert min(logins) > 5 and len(set(logins.values())) == 8


def test_double_calls_miss_their_target_and_no_double_call_meets_it():
    assert verdicts({"call_double_calls": 0, "call_per_s": 600}) == {
        "call_double_calls": True,
        "call_per_s": True,
    }
    assert verdicts({"call_double_calls": 1})["call_double_calls"] is False


def test_medians_per_side_and_the_comparison_table():
    rounds = [
        {"issue_per_s": 100.0, "issue_errors": 0},
        {"issue_per_s": 300.0, "issue_errors": 2},
        {"issue_per_s": 200.0, "issue_errors": 1},
    ]
    assert medians(rounds) == {"issue_per_s": 200.0, "issue_errors": 1}
    report = {
        "mode": "a/b",
        "machine": "2 cores",
        "sides": {"A": "(defaults)", "B": "QHALL_SQLITE_SYNCHRONOUS=NORMAL"},
        "rounds": [{"round": 1, "side": "A", **rounds[0]}, {"round": 1, "side": "B", **rounds[1]}],
        "medians": {"A": rounds[0], "B": rounds[1]},
        "targets_met": {"A": {"issue_per_s": False}, "B": {"issue_per_s": False}},
    }
    text = comparison_table(report)
    assert "median" in text and "QHALL_SQLITE_SYNCHRONOUS=NORMAL" in text
    assert "MISSED: issue_per_s" in text


@pytest.mark.live
def test_the_outbox_bench_counts_every_message_delivered_once(tmp_path):
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-m", "qhall.tools.bench_outbox", "--messages", "40",
         "--latency-ms", "1", "--tickets", "10"],
        cwd=tmp_path, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "delivery: 40 of 40 messages" in run.stdout and "sent twice: 0" in run.stdout
    assert "issue latency beside the busy sender: p50" in run.stdout
