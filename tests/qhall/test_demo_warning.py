"""The demo says loudly, in both languages, that its accounts open with a published password
and how a real hall gives its accounts their own."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from qhall.cli import main
from qhall.db import db


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("QHALL_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("QHALL_DEMO_HISTORY", "false")
    # `serve` sets these for the gunicorn it starts; the test puts them back.
    monkeypatch.setenv("QHALL_DEMO_PRINTERS", "false")
    monkeypatch.setenv("QHALL_ASYNC_MODE", "threading")
    started = []
    monkeypatch.setattr(os, "execv", lambda *args: started.append(args))

    def invoke(*args: str) -> str:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    yield invoke
    db.close()


def assert_warned(output: str) -> None:
    assert "警告" in output and "切勿用于真实大厅" in output
    assert "WARNING" in output and "Never use them for a real hall" in output
    assert '"qhall-demo"' in output and "admin" in output
    assert "qhall user add --login" in output


def test_seeding_the_demo_warns_of_its_published_password(run):
    assert_warned(run("demo"))


def test_serving_the_demo_warns_beside_its_logins(run):
    output = run("serve", "--demo")
    assert_warned(output)
    assert output.index("Demo logins") < output.index("WARNING")


def test_a_server_without_the_demo_does_not_warn(run):
    run("init-db")
    assert "WARNING" not in run("serve")
