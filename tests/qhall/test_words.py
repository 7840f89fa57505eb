"""Every code people may read has words in both languages, and a code no list knows shows
as itself rather than as nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qhall import words
from qhall.configure import KINDS as CONFIG_KINDS
from qhall.models import PRINTER_STATES, ROLES
from qhall.screens import BADGES
from qhall.supervision_models import NOTICE_STATES, SELECTION_KINDS
from qhall.words import action_words, word

ROOT = Path(__file__).resolve().parents[2]
# Audit actions as the code writes them: action="...", or "..." handed to _audit_token.
ACTION_WRITTEN = re.compile(r'action="([a-z_.-]+)"|_audit_token\([^)]*"([a-z_.]+)"')


def actions_in_the_code() -> set[str]:
    """Return every audit action the code records, the configuration kinds' included."""
    found = set()
    for path in (ROOT / "qhall").rglob("*.py"):
        if "tools" in path.parts:
            continue
        for match in ACTION_WRITTEN.finditer(path.read_text(encoding="utf-8")):
            found.add(match.group(1) or match.group(2))
    found -= {"assign", "appeal", "decide-appeal"}  # rectification's event data, not the log
    found |= {f"{kind}.{verb}" for kind in CONFIG_KINDS for verb in ("create", "update")}
    found |= {f"selection.{kind}" for kind in SELECTION_KINDS}
    return found


def has_words(pair: tuple[str, str], code: str) -> bool:
    zh, en = pair
    return bool(zh and en) and zh != code and en != code and re.search("[\u4e00-\u9fff]", zh)


def test_the_code_records_the_actions_this_test_knows_of():
    assert {"services.update", "staff.role", "session.sign_in", "session.sign_in_failed",
            "token.issue", "token.revoke", "export", "privacy.erase", "window.release",
            "staff.password", "staff.deactivate"} <= actions_in_the_code()  # fmt: skip


@pytest.mark.parametrize("action", sorted(actions_in_the_code()))
def test_every_audit_action_reads_in_both_languages(action):
    assert has_words(action_words(action), action)


def test_a_configuration_change_names_the_verb_and_the_kind():
    assert action_words("services.update") == ("修改业务事项", "Service changed")
    assert action_words("staff.create") == ("新增工作人员", "Staff account added")
    assert action_words("staff.role") == ("角色变更", "Role changed")
    assert action_words("session.sign_in") == ("登录", "Signed in")


@pytest.mark.parametrize("kind, codes", [
    ("role", ROLES),
    ("badge", BADGES),
    ("config_kind", CONFIG_KINDS),
    ("ticket", ("waiting", "called", "serving", "finished", "no_show", "cancelled", "closed")),
    ("case", ("open", "suspended", "completed")),
    ("decision", ("granted", "refused")),
    ("inquiry", ("open", "referred", "resolved")),
    ("rectification", ("open", "rectified", "verified", "called_back", "closed", "appeal_accepted")),
    ("notice", NOTICE_STATES),
    ("printer", PRINTER_STATES),
    ("window", ("open", "paused", "closed")),
])  # fmt: skip
def test_every_code_of_a_kind_reads_in_both_languages(kind, codes):
    for code in codes:
        assert has_words(word(kind, code), code), (kind, code)


def test_the_roles_read_as_people_say_them():
    assert word("role", "manager") == ("大厅负责人", "Hall manager")
    assert word("badge", "party_member") == ("党员示范岗", "Party member model post")


@pytest.mark.parametrize("kind, code", [
    ("role", "auditor"), ("badge", "new_badge"), ("ticket", "parked"), ("action", "calendar.import"),
    ("no-such-list", "x"),
])  # fmt: skip
def test_an_unknown_code_shows_as_itself(kind, code):
    assert word(kind, code) == (code, code)


def test_no_code_shows_as_nothing_rather_than_none():
    assert word("role", None) == ("", "")


def test_the_editor_offers_roles_and_badges_in_words_with_the_code_as_value():
    from qhall.configure import describe

    fields = {f["name"]: f for f in describe("staff")["fields"]}
    roles = {o["value"]: (o["zh"], o["en"]) for o in fields["role"]["options"]}
    assert roles["manager"] == ("大厅负责人", "Hall manager") and set(roles) == set(ROLES)
    badges = {o["value"]: o["zh"] for o in fields["badges"]["options"]}
    assert badges["party_member"] == "党员示范岗"
    kinds = {
        o["value"]: o["en"]
        for o in {f["name"]: f for f in describe("screens")["fields"]}["kind"]["options"]
    }
    assert kinds["commitment"] == "Our service commitments"


def test_a_stored_moment_reads_as_the_halls_wall_clock_with_its_zone():
    from datetime import datetime

    moment = datetime(2026, 11, 30, 17, 30)  # UTC, as stored
    assert words.stamp(moment, "Asia/Shanghai") == "2026-12-01 01:30"
    assert words.stamp(moment, "Asia/Shanghai", named=True) == "2026-12-01 01:30 (Asia/Shanghai)"
    assert words.stamp(None, "Asia/Shanghai") == ""
