"""A service's 事项编码 (the province catalogue's code, sent with each rating to the 好差评
platform): set in the admin editor and in the bureau file, the same rule in both (letters,
digits and '-', at most 40, or empty), refused politely in both languages otherwise."""

from __future__ import annotations

import pytest

from qhall import seed
from qhall.models import Service, Unit
from qhall.validate import BadConfig
from tests.factories import assert_error

CODE = "000120001000-0001"


def edit_service_a(boss, item_code):
    service = Service.get(Service.code == "A", Service.unit == Unit.get(Unit.code == "T").id)
    return boss.post("/api/admin/config/services",
                     json={"unit": "T", "id": service.id, "fields": {"item_code": item_code}})  # fmt: skip


def test_the_halls_manager_sets_a_services_item_code_in_the_editor(as_user):
    boss = as_user("boss-t")
    assert edit_service_a(boss, f" {CODE} ").status_code == 200
    assert Service.get(Service.code == "A").item_code == CODE
    editor = boss.get("/admin/config/services?unit=T").get_data(as_text=True)
    assert "事项编码" in editor and CODE in editor
    assert edit_service_a(boss, "").status_code == 200  # not known yet: empty again
    assert Service.get(Service.code == "A").item_code == ""


@pytest.mark.parametrize("code", ["0001 2000", "事项0001", "1" * 41, "0001/2"])
def test_an_item_code_that_is_not_one_is_refused_and_nothing_changes(as_user, code):
    body = assert_error(edit_service_a(as_user("boss-t"), code), 400)
    assert "事项编码" in body["message"] and "Item code" in body["message_en"]
    assert Service.get(Service.code == "A").item_code == ""


def test_the_bureau_file_sets_it_with_the_same_rule(app, tmp_path):
    text = """password = "a long enough password"
[[unit]]
code = "MZJ"
name_zh = "民政局大厅"
name_en = "Civil affairs hall"
  [[unit.service]]
  code = "A"
  name_zh = "婚姻登记"
  name_en = "Marriage registration"
  item_code = "{code}"
  [[unit.counter]]
  window = 1
  name_zh = "婚姻登记窗口"
  services = ["A"]
"""
    path = tmp_path / "bureau.toml"
    path.write_text(text.format(code="0001 2"), encoding="utf-8")
    with pytest.raises(BadConfig) as caught:
        seed.load_bureau(path)
    assert "item_code" in caught.value.zh and "事项编码" in caught.value.zh
    path.write_text(text.format(code=CODE), encoding="utf-8")
    seed.load_bureau(path)
    assert Service.get().item_code == CODE
