"""Files read at start-up follow the editor's rules: a mistake stops `qhall` with one message
naming the file, the entry and the field, in both languages, before anything is written."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from qhall import seed
from qhall.cli import main
from qhall.db import db
from qhall.models import Unit
from qhall.validate import BadConfig
from qhall.workdays import load_calendar

BUREAU = """
password = "a long enough password"

[[unit]]
code = "MZJ"
name_zh = "民政局大厅"
name_en = "Civil affairs hall"
timezone = "{zone}"

  [[unit.service]]
  code = "A"
  name_zh = "婚姻登记"
  name_en = "Marriage registration"
  hours = "{hours}"
  weekdays = "12345"

  [[unit.counter]]
  window = 1
  name_zh = "婚姻登记窗口"
  services = ["A"]
"""


def bureau_file(tmp_path, zone="Asia/Shanghai", hours="08:30-12:00", text=None):
    path = tmp_path / "bureau.toml"
    path.write_text(text or BUREAU.format(zone=zone, hours=hours), encoding="utf-8")
    return path


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("QHALL_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("QHALL_DEMO_HISTORY", "false")
    yield lambda *args: CliRunner().invoke(main, list(args))
    db.close()


def test_a_good_file_is_loaded_with_its_values_cleaned(app, tmp_path):
    seed.load_bureau(bureau_file(tmp_path, zone="", hours="8:30-12:00"))
    unit = Unit.get(Unit.code == "MZJ")
    assert unit.timezone == "Asia/Shanghai" and unit.services[0].hours == "08:30-12:00"


@pytest.mark.parametrize(
    "mistake, entry, field",
    [
        ({"zone": "Asia/Shangai"}, "[[unit]] MZJ", "timezone"),
        ({"hours": "08:00-25:00"}, "[[unit]] MZJ [[unit.service]] A", "hours"),
        ({"text": BUREAU.format(zone="", hours="").replace('"MZJ"', '"=cmd|x"')},
         "[[unit]] =cmd|x", "code"),
        ({"text": BUREAU.format(zone="", hours="").replace('["A"]', '["A", "Z"]')},
         "[[unit.counter]] 1", "services"),
    ],
)  # fmt: skip
def test_a_mistake_names_the_file_entry_and_field_and_writes_nothing(
    app, tmp_path, mistake, entry, field
):
    path = bureau_file(tmp_path, **mistake)
    with pytest.raises(BadConfig) as caught:
        seed.load_bureau(path)
    for message in (caught.value.zh, caught.value.en):
        assert str(path) in message and entry in message and f"{field}" in message
    assert "配置文件" in caught.value.zh and "Configuration file" in caught.value.en
    assert Unit.select().count() == 0


def test_qhall_demo_stops_with_the_message_not_a_traceback(run, tmp_path, monkeypatch):
    monkeypatch.setattr(seed, "DEMO_FILE", bureau_file(tmp_path, zone="Mars/Olympus"))
    result = run("demo")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "timezone" in result.output and "Mars/Olympus" in result.output
    assert "时区" in result.output and "Time zone" in result.output
    assert Unit.select().count() == 0


def test_a_settings_file_that_is_not_toml_stops_init_db(run, tmp_path):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "qhall.toml").write_text('DATABASE_URL = "unclosed\n')
    result = run("init-db")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "qhall.toml" in result.output
    assert "格式错误" in result.output and "not valid TOML" in result.output


@pytest.mark.parametrize(
    "text, said",
    [
        ('[2026]\nholidays = ["2026-02-30"]', "2026-02-30"),
        ('[2026]\nholidays = ["2025-10-01"]', "2025-10-01"),
        ('[2026]\nholidays = ["2026-10-01"]\nworkdays = ["2026-10-01"]', "both"),
        ("[twenty]\nholidays = []", "[twenty]"),
    ],
)
def test_a_calendar_with_a_day_that_cannot_be_stops_with_its_year(tmp_path, text, said):
    path = tmp_path / "calendar.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadConfig) as caught:
        load_calendar(path)
    assert said in caught.value.en and str(path) in caught.value.zh
