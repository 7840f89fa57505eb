"""`qhall demo` seeds the whole bureau: its main hall and the ten units of the bureau's plan,
each with services in both languages, windows, a staff login, a kiosk and a tablet at every
window; the funeral home and the cemeteries dignified, the rescue station and the funeral
home open round the clock. A bureau file's profile is checked like every other field."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from printer.config import load_kiosks
from qhall import seed
from qhall.auth import authenticate
from qhall.booking_models import BookingPlan
from qhall.cli import main
from qhall.db import db
from qhall.devices import load_tablets
from qhall.models import Counter, CounterService, Service, Unit
from qhall.validate import BadConfig

# The bureau's plan, by a word of each unit's name: its code in config/demo.toml.
UNITS = {
    "民政局": "MZJ",  # the bureau's main hall
    "军队转业干部": "JZAZ",  # 军转站
    "军供": "JGFZ",  # 军供分站
    "救助管理站": "JZZ",  # 救助站
    "康复中心": "KFZX",
    "烈士陵园": "LSLY",
    "卧龙墓园": "WLMY",
    "殡仪馆": "BYG",
    "老龄": "LLB",  # 老龄办
    "离退休干部": "JXZX",  # 军休中心
    "福利彩票": "FCZX",  # 福彩中心
}
DIGNIFIED = {"BYG", "LSLY", "WLMY"}
ROUND_THE_CLOCK = {"JZZ", "BYG"}


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("QHALL_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("QHALL_DEMO_HISTORY", "false")  # the played week is tested elsewhere
    yield lambda *args: CliRunner().invoke(main, list(args), catch_exceptions=False)
    db.close()


def test_qhall_demo_seeds_the_main_hall_and_the_ten_units(run):
    result = run("demo")
    assert result.exit_code == 0, result.output
    units = {unit.code: unit for unit in Unit.select()}
    assert set(units) == set(UNITS.values())
    for word, code in UNITS.items():
        assert word in units[code].name_zh and units[code].name_en, code
        assert code in result.output  # "Demo bureau ready: MZJ, JZZ, ..."
    assert {c for c, u in units.items() if u.profile == "dignified"} == DIGNIFIED
    assert {c for c, u in units.items() if u.profile == "standard"} == set(units) - DIGNIFIED
    assert {c for c, u in units.items() if u.round_the_clock} == ROUND_THE_CLOCK

    for code, unit in units.items():
        services = list(Service.select().where(Service.unit == unit))
        assert len(services) >= 2, code
        for service in services:
            assert service.name_zh and service.name_en and service.guide_zh and service.guide_en
            assert service.hours and service.weekdays, (code, service.code)
        # Every service is called at some window of its unit.
        called = {
            link.service_id
            for link in CounterService.select().join(Counter).where(Counter.unit == unit)
        }
        assert called == {s.id for s in services}, code
        # One staff login at least, with the demo's password.
        staff = [s for s in unit.staff if s.role == "staff"]
        assert staff and authenticate(staff[0].login, "qhall-demo").unit.code == code


def test_the_units_keep_their_own_days(run):
    run("demo")

    def days(code: str, letter: str = "A") -> tuple[str, str]:
        service = Service.get(
            Service.unit == Unit.get(Unit.code == code).id, Service.code == letter
        )
        return service.hours, service.weekdays

    assert days("JZZ") == ("00:00-24:00", "1234567")  # the rescue station never closes
    assert days("BYG") == ("00:00-24:00", "1234567")  # nor the funeral home
    assert days("LSLY")[1] == days("WLMY")[1] == "1234567"  # cemeteries open every day
    assert days("LLB") == ("08:30-12:00,13:30-17:30", "12345")  # an office's hours
    assert "高龄津贴" in Service.get(Service.unit == Unit.get(Unit.code == "LLB").id).name_zh
    assert "兑奖" in Service.get(Service.unit == Unit.get(Unit.code == "FCZX").id).name_zh
    assert "祭扫" in Service.get(Service.unit == Unit.get(Unit.code == "LSLY").id).name_zh


def test_every_unit_has_a_kiosk_and_a_tablet_at_every_window(run):
    run("demo")
    kiosks = load_kiosks({"KIOSKS": [], "DEMO_PRINTERS": True}).values()
    tablets = load_tablets({"TABLETS": [], "DEMO_PRINTERS": True}).values()
    for unit in Unit.select():
        kiosk = next(k for k in kiosks if k.unit == unit.code)
        assert kiosk.token and kiosk.printer
        windows = {c.window for c in unit.counters}
        assert {t.window for t in tablets if t.unit == unit.code} == windows, unit.code
    assert len({k.token for k in kiosks}) == len(list(kiosks))  # each its own secret


BUREAU = """
password = "a long enough password"

[[unit]]
code = "CEM"
name_zh = "公墓"
name_en = "Cemetery"
profile = "{profile}"

  [[unit.service]]
  code = "A"
  name_zh = "安葬登记"
  name_en = "Burials"
"""


def test_a_bureau_files_profile_is_stored_and_an_unknown_one_refused(app, tmp_path):
    path = tmp_path / "bureau.toml"
    path.write_text(BUREAU.format(profile="cheerful"), encoding="utf-8")
    with pytest.raises(BadConfig) as caught:
        seed.load_bureau(path)
    assert "profile" in caught.value.en and "[[unit]] CEM" in caught.value.en
    assert "单位类型" in caught.value.zh and "dignified" in caught.value.zh
    assert Unit.select().count() == 0

    path.write_text(BUREAU.format(profile="dignified"), encoding="utf-8")
    seed.load_bureau(path)
    assert Unit.get(Unit.code == "CEM").profile == "dignified"


def test_the_cemeterys_tribute_visits_and_marriages_take_bookings(run):
    run("demo")

    def plan(code: str) -> BookingPlan:
        service = Service.get(Service.unit == Unit.get(Unit.code == code).id, Service.code == "A")
        return BookingPlan.get(BookingPlan.service == service.id)

    tribute = plan("LSLY")  # 祭扫 at 清明 falls on a holiday: the plan keeps to no calendar
    assert (tribute.follows_calendar, tribute.capacity, tribute.days_ahead) == (False, 20, 7)
    assert plan("MZJ").follows_calendar and plan("MZJ").capacity == 4  # 婚姻登记


def test_a_bureau_files_booking_plan_is_checked_before_anything_is_written(app, tmp_path):
    path = tmp_path / "bureau.toml"
    plan = "\n  booking = {{ slot_minutes = {minutes}, sits = 3 }}\n"
    path.write_text(BUREAU.format(profile="dignified") + plan.format(minutes=30), "utf-8")
    with pytest.raises(BadConfig) as caught:
        seed.load_bureau(path)
    assert "sits" in caught.value.en and "[[unit.service]] A" in caught.value.en
    assert Unit.select().count() == 0

    path.write_text(BUREAU.format(profile="dignified") + "\n  booking = { slot_minutes = 1 }\n")
    with pytest.raises(BadConfig) as caught:
        seed.load_bureau(path)
    assert "5 to 480 minutes" in caught.value.en and "booking" in caught.value.zh
    assert Unit.select().count() == 0  # the unit's creation is undone with its plan
