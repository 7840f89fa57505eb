"""一次性告知 as the admin editor and the bureau file save it (qhall.notices): the parts the
rule names, in both languages, materials with originals and copies; anything else refused
with the part named; the time limit never written twice."""

from __future__ import annotations

import json

import pytest

from qhall import configure, notices
from qhall.errors import BadInput
from qhall.models import Service
from qhall.seed import DEMO_FILE, read_bureau

MARRIAGE = {
    "legal_basis": {"zh": "《婚姻登记条例》第五条", "en": "Regulations on Marriage Registration, Art. 5"},
    "fee": {"zh": "免费", "en": "Free"},
    "place": {"zh": "1 号窗口", "en": "Window 1"},
    "appeal": {"zh": "可申请行政复议", "en": "You may ask for administrative review"},
    "materials": [
        {"name_zh": "居民身份证", "name_en": "Identity card", "originals": 1, "copies": 1,
         "note_zh": "双方各一张", "note_en": "One each"},
        {"name_zh": "合影照片", "name_en": "Photos of the two of you", "originals": 3},
    ],
}  # fmt: skip


def test_a_whole_notice_is_kept_as_given_and_read_back_with_the_services_time_limit(app):
    stored = notices.clean(json.dumps(MARRIAGE, ensure_ascii=False))
    assert json.loads(stored)["materials"][1] == {
        "name_zh": "合影照片", "name_en": "Photos of the two of you", "originals": 3, "copies": 0,
    }  # fmt: skip
    service = Service(code="A", name_zh="婚姻登记", name_en="Marriage", time_limit_days=0,
                      told_once=stored)  # fmt: skip
    view = notices.notice_view(service)
    assert view["fee"] == {"zh": "免费", "en": "Free"}
    assert view["time_limit"]["zh"] == "即来即办，当场办结" and view["written"]
    assert notices.notice_view(Service(time_limit_days=20, told_once="{}"))["time_limit"] == {
        "zh": "承诺 20 个工作日内办结", "en": "Completed within 20 working days",
    }  # fmt: skip


def test_an_empty_notice_is_no_notice():
    assert notices.clean("") == notices.clean({}) == notices.clean("  ") == "{}"


@pytest.mark.parametrize(
    "notice, says",
    [
        ("{not json", "JSON"),
        ([], "JSON 对象"),
        ({"fee": "免费"}, "收费标准应写成中文"),  # a visitor reads either language
        ({"fee": {"zh": "免费"}}, "请填写收费标准（英文）"),
        ({"time_limit": {"zh": "5 个工作日", "en": "5 days"}}, "承诺时限"),
        ({"legal_bases": {"zh": "x", "en": "y"}}, "legal_bases"),
        ({"materials": "身份证"}, "所需材料"),
        ({"materials": [{"name_zh": "身份证", "name_en": "ID", "originals": 0}]}, "至少填写 1 份"),
        ({"materials": [{"name_zh": "身份证", "name_en": "ID", "copies": -1}]}, "复印件份数"),
        ({"materials": [{"name_zh": "身份证", "name_en": "ID", "originals": True}]}, "原件份数"),
        ({"materials": [{"name_zh": "身份证", "originals": 1}]}, "第 1 项材料的英文名称"),
        ({"materials": [{"name_zh": "身份证", "name_en": "ID", "originals": 1, "note_zh": "复印正反面"}]},
         "同时填写中文和英文"),
        ({"materials": [{"name_zh": "身份证", "name_en": "ID", "originals": 1, "colour": "red"}]}, "colour"),
        ({"appeal": {"zh": "复" * 1001, "en": "x"}}, "过长"),
    ],
)  # fmt: skip
def test_a_notice_that_breaks_the_rule_is_refused_naming_the_part(notice, says):
    with pytest.raises(BadInput) as refused:
        notices.clean(notice if isinstance(notice, str) else json.dumps(notice, ensure_ascii=False))
    assert says in refused.value.zh and refused.value.en


def test_the_admin_editor_checks_the_field_with_the_same_rule(app):
    kind = configure.KINDS["services"]
    assert kind.fields["told_once"][0] == "json"
    assert json.loads(configure.clean(kind, "told_once", MARRIAGE))["fee"]["zh"] == "免费"
    with pytest.raises(BadInput, match="Fee"):
        configure.clean(kind, "told_once", {"fee": {"zh": "免费"}})


def test_the_demo_halls_services_carry_their_notices():
    bureau = read_bureau(DEMO_FILE)
    mzj = {s["code"]: json.loads(s.get("told_once", "{}")) for s in bureau["unit"][0]["service"]}
    assert mzj["A"]["fee"] == {"zh": "免费", "en": "Free"}
    assert {m["name_zh"] for m in mzj["B"]["materials"]} >= {"社会救助申请书", "户口簿"}
    assert all(m["originals"] + m["copies"] > 0 for m in mzj["B"]["materials"])
