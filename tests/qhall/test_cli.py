"""The `qhall` command: init-db, demo, user add and user token."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from qhall.auth import authenticate, staff_for_token
from qhall.cli import main
from qhall.clock import utcnow
from qhall.db import db
from qhall.models import Counter, PauseReason, Service, Staff, Unit


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("QHALL_INSTANCE", str(tmp_path / "instance"))
    # The demo's played week (tests/qhall/test_demo_history.py) costs seconds each time.
    monkeypatch.setenv("QHALL_DEMO_HISTORY", "false")
    runner = CliRunner()

    def invoke(*args: str):
        result = runner.invoke(main, list(args), catch_exceptions=False)
        return result

    yield invoke
    db.close()


def test_init_db_makes_the_tables_and_pause_reasons(run, tmp_path):
    result = run("init-db")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "instance" / "qhall.db").exists()
    assert {"meeting", "break", "system_fault"} <= {r.code for r in PauseReason.select()}


def test_demo_seeds_the_bureau_once_however_often_it_runs(run):
    assert run("demo").exit_code == 0
    assert run("demo").exit_code == 0
    assert {"BYG", "JZZ", "MZJ"} <= {u.code for u in Unit.select()}  # and the other units
    mzj = Unit.get(Unit.code == "MZJ")
    assert Service.select().where(Service.unit == mzj).count() == 4
    assert Counter.select().where(Counter.unit == mzj).count() == 5
    assert authenticate("mzj-1", "qhall-demo").unit.code == "MZJ"
    assert authenticate("admin", "qhall-demo").role == "admin"


def test_user_add_creates_an_account_that_can_sign_in(run):
    run("demo")
    result = run(
        "user",
        "add",
        "--login",
        "li",
        "--password",
        "s3cret-pass",
        "--role",
        "staff",
        "--unit",
        "JZZ",
    )
    assert result.exit_code == 0, result.output
    staff = authenticate("li", "s3cret-pass")
    assert staff is not None and staff.unit.code == "JZZ" and staff.role == "staff"
    assert not Staff.get(Staff.login == "li").password_hash.startswith("s3cret")
    assert authenticate("li", "wrong") is None


def test_user_add_explains_an_unknown_unit(run):
    result = run("user", "add", "--login", "li", "--password", "pw-123456", "--unit", "NOPE")
    assert result.exit_code != 0
    assert "No such unit" in result.output


def test_user_token_prints_a_working_bearer_token(run):
    run("demo")
    result = run("user", "token", "mzj-1")
    assert result.exit_code == 0
    token = result.output.strip()
    assert staff_for_token(token, utcnow()).login == "mzj-1"
    assert run("user", "token", "nobody").exit_code != 0


def test_user_tokens_are_named_listed_and_revoked(run):
    run("demo")
    token = run("user", "token", "mzj-1", "--name", "hall-report", "--days", "7").output.strip()
    listed = run("user", "token", "mzj-1", "--list").output
    assert "active" in listed and "hall-report" in listed and token not in listed
    number = listed.split()[0]
    assert run("user", "token", "mzj-1", "--revoke", number).exit_code == 0
    assert "revoked" in run("user", "token", "mzj-1", "--list").output
    assert staff_for_token(token, utcnow()) is None


def test_user_add_makes_a_bureau_wide_inspector_and_refuses_a_weak_password(run):
    run("demo")
    made = run(
        "user", "add", "--login", "du", "--password", "inspect-the-halls", "--role", "inspector"
    )
    assert made.exit_code == 0, made.output
    assert Staff.get(Staff.login == "du").unit is None
    weak = run("user", "add", "--login", "wu", "--password", "12345678", "--unit", "JZZ")
    assert weak.exit_code != 0 and Staff.get_or_none(Staff.login == "wu") is None
    assert "password" in weak.output.lower()


def test_backup_while_running_and_restore_bring_the_data_back(run, tmp_path):
    from qhall import queue
    from qhall.clock import utcnow

    run("demo")
    queue.issue_ticket("MZJ", "A", now=utcnow())
    backup = tmp_path / "backups" / "monday.db"
    result = run("backup", str(backup))
    assert result.exit_code == 0, result.output
    assert run("backup", str(backup)).exit_code != 0  # never overwrites a backup

    queue.issue_ticket("MZJ", "A", now=utcnow())
    units = sorted(u.code for u in Unit.select())
    Unit.delete().where(Unit.code == "JZZ").execute()
    result = run("restore", "--yes", str(backup))
    assert result.exit_code == 0, result.output
    assert sorted(u.code for u in Unit.select()) == units
    from qhall.models import Ticket

    assert [t.number for t in Ticket.select()] == ["A001"]


def test_restore_refuses_a_file_that_is_not_a_backup(run, tmp_path):
    run("demo")
    units = Unit.select().count()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    result = run("restore", "--yes", str(junk))
    assert result.exit_code != 0 and "not a backup" in result.output
    assert Unit.select().count() == units
